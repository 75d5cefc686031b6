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

/**
 * The Redis broker for running several nodes. Loaded only when REDIS_URL is set, so a single
 * node needs neither @sockkit/redis nor a Redis. Nodes must share the SQLite file (same host)
 * or a store with the same conditional append; see the README.
 */
async function redisBroker(url: string, prefix: string): Promise<Broker> {
  const specifier = '@sockkit/redis';
  type RedisModule = {
    RedisBroker?: new (options: { url: string; prefix: string }) => Broker & { ready?: () => Promise<void> };
  };
  const redis = (await import(specifier).catch((error: unknown) => {
    throw new Error(
      `REDIS_URL is set but @sockkit/redis cannot be loaded (npm run build -w @sockkit/redis?)`,
      {
        cause: error,
      },
    );
  })) as RedisModule;
  if (!redis.RedisBroker) throw new Error('@sockkit/redis does not export RedisBroker');
  const broker = new redis.RedisBroker({ url, prefix });
  await broker.ready?.();
  return broker;
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
const redisPrefix = process.env.LIVE_DOCS_REDIS_PREFIX ?? 'live-docs:';
const inspectorPassword = process.env.LIVE_DOCS_INSPECTOR_PASSWORD;
const app = await startLiveDocs({
  port: Number(process.env.PORT ?? 3000),
  ...(process.env.HOST ? { host: process.env.HOST } : {}),
  dbPath: resolve(appRoot, process.env.LIVE_DOCS_DB ?? 'data/live-docs.sqlite'),
  webRoot: resolve(appRoot, 'dist/web'),
  metricsPassword: process.env.LIVE_DOCS_METRICS_PASSWORD || undefined,
  ...(dev ? { middleware: await devMiddleware() } : {}),
  ...(process.env.REDIS_URL ? { broker: await redisBroker(process.env.REDIS_URL, redisPrefix) } : {}),
  // The inspector (at /_inspector) is on only with a password; on Redis its figures get a prefix of
  // their own, so a page on any node shows every node.
  ...(inspectorPassword ? { inspectorPassword } : {}),
  ...(inspectorPassword && process.env.REDIS_URL
    ? { inspectorBroker: await redisBroker(process.env.REDIS_URL, `${redisPrefix}inspector:`) }
    : {}),
});
console.log(`live-docs ready at ${app.url} (database ${app.store.path}${dev ? ', dev mode' : ''})`);
if (inspectorPassword)
  console.log(`inspector at ${app.url}/_inspector/ (HTTP Basic, LIVE_DOCS_INSPECTOR_PASSWORD)`);

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
