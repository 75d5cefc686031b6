/**
 * Keys of a test run on a shared Redis: a prefix no other run shares, deleted afterwards by
 * SCAN (never FLUSH*, the Redis may hold other data). `@sockkit/testing/redis`, so suites
 * without Redis do not load ioredis.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A prefix no other run shares. */
export function uniquePrefix(label: string): string {
  return `sockkit-test:${label}:${process.pid}:${randomBytes(6).toString('base64url')}:`;
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
