/**
 * The chat server: one port serves the page, POST /login and the WebSocket endpoint /ws.
 * PORT (default 3000), HOST (default 127.0.0.1), REDIS_URL and REDIS_PREFIX (several nodes),
 * ALLOWED_ORIGINS (pages served from elsewhere, comma-separated).
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createSockkitServer } from '@sockkit/server';
import { contract } from '../contract.js';
import { authenticate } from './auth.js';
import { handlers } from './handlers.js';
import { servePage } from './page.js';
import { connectRedis } from './scale.js';
import { stopOnSignals } from './shutdown.js';
import { topics } from './topics.js';

const env = process.env;
const http = createServer(servePage(fileURLToPath(new URL('../web/', import.meta.url))));
const redis = env.REDIS_URL ? await connectRedis(env.REDIS_URL, env.REDIS_PREFIX ?? 'chat:') : undefined;

const server = createSockkitServer({
  contract,
  server: http,
  path: '/ws',
  authenticate,
  handlers,
  topics,
  ...redis, // broker and relay, or neither
  ...(env.ALLOWED_ORIGINS ? { allowedOrigins: env.ALLOWED_ORIGINS.split(',') } : {}),
});

stopOnSignals(async () => {
  await server.close({ timeout: 5000 }); // clients see 1012 and reconnect
  await redis?.broker.close();
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

const host = env.HOST ?? '127.0.0.1';
http.listen(Number(env.PORT ?? 3000), host, () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  console.log(`chat listening on http://${host}:${port}`);
});
