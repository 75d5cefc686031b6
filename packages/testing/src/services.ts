/**
 * Finding the services a suite needs (Redis, Chromium). Where one is missing the suite
 * skips with a loud line saying why, except under SOCKKIT_REQUIRE_ALL=1 (CI), where a
 * missing service fails the run instead of hiding behind a skip.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

/** Whether every suite must run (CI). */
export const requireAll = process.env.SOCKKIT_REQUIRE_ALL === '1';

/**
 * Reports a missing service: throws under SOCKKIT_REQUIRE_ALL=1, else prints a loud line.
 * Returns false so callers can write `describe.skipIf(!available)`.
 */
export function missing(service: string, why: string): false {
  const line = `SKIPPING ${service} suites: ${why}`;
  if (requireAll) throw new Error(`${line} (SOCKKIT_REQUIRE_ALL=1 forbids skipping)`);
  console.warn(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n`);
  return false;
}

/** The Redis URL to test against, from REDIS_URL or the default. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Resolves the Redis URL when a Redis answers PING there, else reports it missing. */
export async function findRedis(): Promise<string | undefined> {
  const url = new URL(redisUrl);
  const answered = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
  if (answered) return redisUrl;
  missing('Redis', `no Redis answered PING at ${redisUrl} (set REDIS_URL)`);
  return undefined;
}

/** Debian's Chromium, or CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Resolves Chromium's path when it exists, else reports it missing. */
export function findChromium(): string | undefined {
  if (existsSync(chromiumPath)) return chromiumPath;
  missing('browser', `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return undefined;
}

/** Chromium flags for tests on a machine with no network but loopback. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
