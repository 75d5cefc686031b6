/**
 * The example's server: serves the page and the sockkit endpoint on one port.
 * PORT (default 3000) and HOST (default 127.0.0.1) configure where it listens.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSockkitServer } from '@sockkit/server';
import { chatContract } from './contract.js';

const webRoot = fileURLToPath(new URL('./web/', import.meta.url));
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.map': 'application/json',
};

const http = createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  const file = path === '/' ? 'index.html' : path.slice(1);
  if (!/^[\w.-]+$/.test(file)) return void response.writeHead(404).end();
  try {
    const body = await readFile(join(webRoot, file));
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});

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
