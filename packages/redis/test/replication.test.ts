/**
 * What the broker does with Redis replication, on throwaway redis-servers (spawned on free
 * ports, killed by pid): a restart keeps the data (AOF) but not the replication id, so every
 * channel starts a new epoch and says so; `waitForReplicas` on a Redis without replicas shows
 * nothing and fails with UNAVAILABLE; its bounds are checked from both sides.
 * Failovers through Sentinel are in failover.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSockkitError } from '@sockkit/core';
import { silentLogger } from '@sockkit/server';
import { uniquePrefix } from '@sockkit/testing/redis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBroker, type RedisBrokerOptions } from '../src/broker.js';
import type { GapReport } from '../src/feed.js';
import { Events, freePort, hasRedisServer, json, sleep, ThrowawayRedis, waitFor } from './helpers.js';

const canSpawn = await hasRedisServer();
const open: RedisBroker[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close({ leavePresence: false })));
});

async function node(options: RedisBrokerOptions) {
  const broker = new RedisBroker({ logger: silentLogger, reconnectDelay: () => 100, ...options });
  open.push(broker);
  const events = new Events();
  const gaps: GapReport[] = [];
  broker.listen(events.listener);
  broker.on('gap', (gap) => gaps.push(gap));
  await broker.ready();
  return { broker, events, gaps };
}

async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'resolved';
  } catch (error) {
    return isSockkitError(error) ? error.code : String(error);
  }
}

describe('waitForReplicas bounds', () => {
  const make = (waitForReplicas: RedisBrokerOptions['waitForReplicas'], commandTimeoutMs?: number) => () =>
    new RedisBroker({ url: 'redis://127.0.0.1:1', logger: silentLogger, waitForReplicas, commandTimeoutMs });

  it('takes at least one replica and a timeout below the command timeout, nothing else', async () => {
    for (const bad of [
      { replicas: 0, timeoutMs: 100 },
      { replicas: 1.5, timeoutMs: 100 },
      { replicas: 1, timeoutMs: 0 },
      { replicas: 1, timeoutMs: 5000 },
      { replicas: 1, timeoutMs: Number.NaN },
    ]) {
      expect(make(bad), JSON.stringify(bad)).toThrow(RangeError);
    }
    expect(make({ replicas: 1, timeoutMs: 1000 }, 1000)).toThrow(RangeError);
    for (const good of [
      { replicas: 1, timeoutMs: 1 },
      { replicas: 2, timeoutMs: 4999 },
    ]) {
      const broker = make(good)();
      await broker.close();
    }
  });
});

describe.skipIf(!canSpawn)('replication id and epochs (throwaway redis-server)', () => {
  it('a restart that kept the data (AOF) still starts a new epoch: the replication id changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockkit-aof-'));
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
    const server = new ThrowawayRedis(port, {
      args: [...args, '--appendonly', 'yes', '--appendfsync', 'always'],
    });
    await server.start();
    try {
      const prefix = uniquePrefix('aof');
      const a = await node({ url: server.url, prefix });
      const b = await node({ url: server.url, prefix });
      await Promise.all([a.broker.subscribe('c'), b.broker.subscribe('c')]);
      for (let i = 1; i <= 3; i++) await a.broker.publish('c', json(i), { volatile: false });
      const before = await b.broker.position('c');
      await waitFor(() => b.events.messages('c').length === 3, 'first messages');

      // SIGTERM: Redis writes everything down and exits; it comes back with the same data.
      await server.kill('SIGTERM');
      await server.start();
      await waitFor(() => a.broker.status === 'up' && b.broker.status === 'up', 'up again', 15_000);
      await waitFor(() => a.gaps.length > 0 && b.gaps.length > 0, 'gap reports');
      for (const gaps of [a.gaps, b.gaps]) {
        expect(gaps[0]).toMatchObject({ channel: 'c', recovered: false, from: before });
        expect(gaps[0]!.to.epoch).not.toBe(before.epoch);
      }
      expect(await b.broker.history('c', before)).toMatchObject({ recovered: false });
      const fresh = await a.broker.publish('c', json('fresh'), { volatile: false });
      expect(fresh.offset).toBe(1);
      expect(fresh.epoch).not.toBe(before.epoch);
    } finally {
      await Promise.all(open.splice(0).map((broker) => broker.close({ leavePresence: false })));
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waitForReplicas without a replica: publishes and reads fail with UNAVAILABLE, nothing is shown', async () => {
    const server = new ThrowawayRedis(await freePort());
    await server.start();
    try {
      const prefix = uniquePrefix('wait');
      const wait = { waitForReplicas: { replicas: 1, timeoutMs: 100 } };
      const a = await node({ url: server.url, prefix, ...wait });
      const b = await node({ url: server.url, prefix, ...wait });
      // Subscribing reads the channel's position, which waits too.
      expect(await failure(b.broker.subscribe('w'))).toBe('UNAVAILABLE');
      const plain = await node({ url: server.url, prefix });
      await plain.broker.subscribe('w');

      expect(await failure(a.broker.publish('w', json('x'), { volatile: false }))).toBe('UNAVAILABLE');
      expect(await failure(a.broker.history('w', { epoch: 'e', offset: 0 }))).toBe('UNAVAILABLE');
      expect(await failure(a.broker.recent('w', 5))).toBe('UNAVAILABLE');
      expect(await failure(a.broker.position('w'))).toBe('UNAVAILABLE');
      // Stored (a WAIT cannot take a write back) but published to no one.
      expect(await plain.broker.position('w')).toMatchObject({ offset: 1 });
      await sleep(100);
      expect(plain.events.messages('w')).toEqual([]);
      // Volatile messages need no replica.
      await a.broker.publish('w', json('v'), { volatile: true });
      await waitFor(() => plain.events.messages('w').length === 1, 'the volatile message');
    } finally {
      await Promise.all(open.splice(0).map((broker) => broker.close({ leavePresence: false })));
      await server.kill();
    }
  });
});
