/**
 * `npm run start:chat`: the chat on PORT (default 3001) with the SQLite file at CHAT_DB
 * (default ./data/chat.sqlite under the app). With REDIS_URL set, topics and presence run on
 * @sockkit/redis so several nodes (sharing the SQLite file) serve the same rooms.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Broker } from '@sockkit/server';
import { startChat } from './app.js';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The Redis broker, loaded only when REDIS_URL is set: one node needs neither it nor a Redis. */
async function redisBroker(url: string, prefix: string): Promise<Broker> {
  const { RedisBroker } = await import('@sockkit/redis');
  const broker = new RedisBroker({ url, prefix });
  await broker.ready();
  return broker;
}

async function devMiddleware() {
  const { createServer } = await import('vite');
  const vite = await createServer({
    configFile: resolve(appRoot, 'vite.config.ts'),
    server: { middlewareMode: true },
    appType: 'spa',
  });
  return vite.middlewares;
}

const env = process.env;
const dev = env.CHAT_DEV === '1';
const broker = env.REDIS_URL ? await redisBroker(env.REDIS_URL, env.CHAT_REDIS_PREFIX ?? 'chat:') : undefined;
const app = await startChat({
  port: Number(env.PORT ?? 3001),
  ...(env.HOST ? { host: env.HOST } : {}),
  dbPath: resolve(appRoot, env.CHAT_DB ?? 'data/chat.sqlite'),
  webRoot: resolve(appRoot, 'dist/web'),
  ...(dev ? { middleware: await devMiddleware() } : {}),
  ...(broker ? { broker } : {}),
});
console.log(
  `chat ready at ${app.url} (database ${app.store.path}${broker ? ', redis' : ''}${dev ? ', dev mode' : ''})`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    app
      .close()
      .then(() => broker?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
