/**
 * W6 (cross-node fan-out through Redis) in quick mode: three server processes per peer, every
 * subscriber gets every message in order. Nothing about speed. Needs Redis (skips loudly
 * without it, fails under SOCKKIT_REQUIRE_ALL=1) and the @sockkit packages built.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findRedis } from '@sockkit/testing';
import { expect, it } from 'vitest';

const redis = await findRedis();
const runner = fileURLToPath(new URL('../w6/run.mjs', import.meta.url));

it.skipIf(!redis)(
  'W6 quick run completes correctly for every peer',
  () => {
    const result = spawnSync(process.execPath, [runner, '--quick', '--redis', redis!], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/sockkit-redis/);
  },
  150_000,
);
