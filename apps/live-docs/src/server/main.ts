/**
 * `npm start`: the live-docs server on PORT (default 3000) with the SQLite file at
 * LIVE_DOCS_DB (default ./data/live-docs.sqlite under the app). With REDIS_URL set, topics
 * run on @sockkit/redis so several nodes can serve the same documents.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Broker } from '@sockkit/server';
import { startLiveDocs } from './app.js';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function redisBroker(url: string): Promise<Broker> {
  const specifier = '@sockkit/redis';
  const redis = (await import(specifier)) as { RedisBroker?: new (options: { url: string }) => Broker };
  if (!redis.RedisBroker) throw new Error('@sockkit/redis does not export RedisBroker');
  return new redis.RedisBroker({ url });
}

async function devMiddleware() {
  const { createServer } = await import('vite');
  const vite = await createServer({
    root: resolve(appRoot, 'src/web'),
    configFile: resolve(appRoot, 'vite.config.ts'),
    server: { middlewareMode: true },
    appType: 'spa',
  });
  return vite.middlewares;
}

const dev = process.env.LIVE_DOCS_DEV === '1';
const app = await startLiveDocs({
  port: Number(process.env.PORT ?? 3000),
  ...(process.env.HOST ? { host: process.env.HOST } : {}),
  dbPath: resolve(appRoot, process.env.LIVE_DOCS_DB ?? 'data/live-docs.sqlite'),
  webRoot: resolve(appRoot, 'dist/web'),
  ...(dev ? { middleware: await devMiddleware() } : {}),
  ...(process.env.REDIS_URL ? { broker: await redisBroker(process.env.REDIS_URL) } : {}),
});
console.log(`live-docs ready at ${app.url} (database ${app.store.path}${dev ? ', dev mode' : ''})`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
