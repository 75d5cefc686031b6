/**
 * The example's server: serves the page and the sockkit endpoint on one port.
 * PORT (default 3000) and HOST (default 127.0.0.1) configure where it listens.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@sockkit/app-static';
import { createSockkitServer } from '@sockkit/server';
import { chatContract } from './contract.js';

const webRoot = fileURLToPath(new URL('./web/', import.meta.url));
const http = createServer(serveStatic(webRoot, (path) => path === '/'));

let online = 0;
const sockkit = createSockkitServer({
  contract: chatContract,
  server: http,
  path: '/ws',
  handlers: {
    hello: async ({ name }, ctx) => {
      const shown = await ctx.conn.call.localTime(undefined, { timeout: 2000 }).catch(() => 'unknown');
      return { greeting: `Hello ${name}, your page says it is ${shown}`, online };
    },
  },
  onConnection: () => online++,
  onDisconnect: () => online--,
  topics: {
    // Stamp the time on the server: clients cannot forge it.
    room: { onPublish: (message) => ({ ...message, at: new Date() }) },
  },
});

const port = Number(process.env.PORT ?? 3000);
http.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const address = http.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(`sockkit example listening on http://localhost:${bound}`);
});

const stop = () => void sockkit.close({ timeout: 2000 }).then(() => http.close(() => process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
