/**
 * Redis connection loss: a node's connections are killed (CLIENT KILL on this run's own
 * connections only) or a throwaway redis-server is killed and restarted. The node keeps
 * going, fails fast with UNAVAILABLE while down, buffers nothing, reconnects by itself, and
 * fills or reports what it missed.
 */
import { isSockkitError } from '@sockkit/core';
import { silentLogger } from '@sockkit/server';
import { findRedis } from '@sockkit/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisBroker, type RedisBrokerOptions } from '../src/broker.js';
import type { GapReport } from '../src/feed.js';
import type { LinkStatus, StatusDetail } from '../src/link.js';
import {
  deleteKeys,
  Events,
  freePort,
  hasRedisServer,
  json,
  killClients,
  ThrowawayRedis,
  uniquePrefix,
  waitFor,
} from './helpers.js';

const url = await findRedis();
const prefix = uniquePrefix('recovery');

interface Node {
  broker: RedisBroker;
  events: Events;
  statuses: [LinkStatus, StatusDetail][];
  gaps: GapReport[];
}

const open: RedisBroker[] = [];

async function node(options: RedisBrokerOptions): Promise<Node> {
  const broker = new RedisBroker({ prefix, logger: silentLogger, ...options });
  open.push(broker);
  const n: Node = { broker, events: new Events(), statuses: [], gaps: [] };
  broker.listen(n.events.listener);
  broker.on('status', (status, detail) => n.statuses.push([status, detail]));
  broker.on('gap', (gap) => n.gaps.push(gap));
  await broker.ready();
  return n;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close()));
});

function queued(broker: RedisBroker): number {
  const sizes = (redis: unknown) => {
    const r = redis as { offlineQueue: { length: number }; commandQueue: { length: number } };
    return r.offlineQueue.length + r.commandQueue.length;
  };
  return sizes(broker.link.commands) + sizes(broker.link.subscriber);
}

async function unavailable(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return false;
  } catch (error) {
    return isSockkitError(error, 'UNAVAILABLE');
  }
}

describe.skipIf(!url)('connection loss (CLIENT KILL on shared Redis)', () => {
  const redisUrl = url!;

  afterAll(async () => {
    await deleteKeys(redisUrl, prefix);
  });

  it('fails fast while down, buffers nothing, reconnects and fills the missed messages and presence', async () => {
    // A long fixed reconnect delay keeps the outage open while the other node works.
    const a = await node({ url: redisUrl, reconnectDelay: () => 1500 });
    const b = await node({ url: redisUrl });
    await Promise.all([a.broker.subscribe('k1'), b.broker.subscribe('k1')]);
    await b.broker.presenceSet('k1', { conn: 'b1', user: 'u', state: json('B1') }, 'join');
    await a.broker.presenceSet('k1', { conn: 'a1', user: 'u', state: json('A1') }, 'join');
    for (let i = 1; i <= 3; i++) await a.broker.publish('k1', json(i), { volatile: false });
    await waitFor(() => a.events.messages('k1').length === 3, 'first messages');
    await waitFor(() => a.events.presence('k1').length === 2, 'first presence');

    expect(await killClients(redisUrl, `${prefix}${a.broker.link.node}:`)).toBe(2);
    await waitFor(() => a.statuses.some(([s]) => s === 'down'), 'down reported');
    expect(a.broker.status).toBe('down');

    // While down: every call fails at once with UNAVAILABLE and nothing piles up.
    const attempts = Array.from({ length: 200 }, (_, i) =>
      a.broker.publish('k1', json(`lost${i}`), { volatile: false }),
    );
    const results = await Promise.all(attempts.map(unavailable));
    expect(results.every(Boolean)).toBe(true);
    expect(await unavailable(a.broker.presenceMembers('k1'))).toBe(true);
    expect(await unavailable(a.broker.subscribe('k1-new'))).toBe(true);
    expect(queued(a.broker)).toBe(0);

    // The other node carries on meanwhile.
    for (let i = 4; i <= 8; i++) await b.broker.publish('k1', json(i), { volatile: false });
    await b.broker.presenceSet('k1', { conn: 'b2', user: 'v', state: json('B2') }, 'join');
    await b.broker.presenceLeave('k1', 'b1');
    expect(a.broker.status).toBe('down');

    await waitFor(() => a.broker.status === 'up', 'reconnect', 10_000);
    const up = a.statuses.at(-1)!;
    expect(up[0]).toBe('up');
    expect(up[1].outage!.to).toBeGreaterThanOrEqual(up[1].outage!.from);

    await waitFor(() => a.events.messages('k1').length === 8, 'missed messages filled');
    expect(a.events.messages('k1').map((m) => m.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a.events.messages('k1').map((m) => m.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await waitFor(() => a.gaps.length > 0, 'gap report');
    expect(a.gaps[0]).toMatchObject({ channel: 'k1', cause: 'reconnect', recovered: true, filled: 5 });
    expect(a.gaps[0]!.from.offset).toBe(3);

    await waitFor(() => a.events.presence('k1').length === 4, 'presence resync');
    expect(a.events.presence('k1').slice(2).sort()).toEqual(['join:b2', 'leave:b1']);

    // Back to normal: publishing works and is delivered live on both nodes.
    const next = await a.broker.publish('k1', json(9), { volatile: false });
    expect(next.offset).toBe(9);
    await waitFor(
      () => b.events.messages('k1').length === 9 && a.events.messages('k1').length === 9,
      'live again',
    );
    expect((await a.broker.presenceMembers('k1')).map((m) => m.conn).sort()).toEqual(['a1', 'b2']);
  });

  it('detects a dropped subscriber connection alone and fills from history', async () => {
    const a = await node({ url: redisUrl, reconnectDelay: () => 800 });
    const b = await node({ url: redisUrl });
    await a.broker.subscribe('k2');
    await b.broker.publish('k2', json(1), { volatile: false });
    await waitFor(() => a.events.messages('k2').length === 1, 'first');
    expect(await killClients(redisUrl, `${prefix}${a.broker.link.node}:sub`)).toBe(1);
    await waitFor(() => a.broker.status === 'down', 'down');
    for (let i = 2; i <= 4; i++) await b.broker.publish('k2', json(i), { volatile: false });
    // Commands still work: only live delivery was cut.
    expect((await a.broker.position('k2')).offset).toBe(4);
    await waitFor(() => a.events.messages('k2').length === 4, 'filled', 10_000);
    expect(a.events.messages('k2').map((m) => m.offset)).toEqual([1, 2, 3, 4]);
    expect(a.gaps).toMatchObject([{ cause: 'reconnect', recovered: true, filled: 3 }]);
  });
});

describe('no Redis at all', () => {
  it('fails fast with UNAVAILABLE, queues nothing, and close() ends the wait for ready()', async () => {
    const broker = new RedisBroker({
      url: `redis://127.0.0.1:${await freePort()}`,
      prefix,
      logger: silentLogger,
      reconnectDelay: () => 50,
    });
    const ready = broker.ready();
    expect(broker.status).toBe('connecting');
    const results = await Promise.all(
      Array.from({ length: 100 }, () => unavailable(broker.publish('x', json(1), { volatile: false }))),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(await unavailable(broker.subscribe('x'))).toBe(true);
    expect(queued(broker)).toBe(0);
    await broker.close();
    expect(await unavailable(ready)).toBe(true);
  });
});

const canSpawn = await hasRedisServer();

describe.skipIf(!canSpawn)('Redis restart (throwaway redis-server, no persistence)', () => {
  it('recovers without a node restart: new epoch reported, presence re-asserted', async () => {
    const server = new ThrowawayRedis(await freePort());
    await server.start();
    try {
      const a = await node({ url: server.url, reconnectDelay: () => 100 });
      const b = await node({ url: server.url, reconnectDelay: () => 100 });
      await Promise.all([a.broker.subscribe('r1'), b.broker.subscribe('r1')]);
      await a.broker.presenceSet('r1', { conn: 'a1', user: 'u', state: json('A') }, 'join');
      for (let i = 1; i <= 3; i++) await a.broker.publish('r1', json(i), { volatile: false });
      const before = await a.broker.position('r1');
      await waitFor(() => b.events.messages('r1').length === 3, 'first messages');

      await server.kill('SIGKILL');
      await waitFor(() => a.broker.status === 'down' && b.broker.status === 'down', 'down');
      expect(await unavailable(a.broker.publish('r1', json('x'), { volatile: false }))).toBe(true);
      expect(
        await unavailable(a.broker.presenceSet('r1', { conn: 'a2', user: 'u', state: json('A2') }, 'join')),
      ).toBe(true);
      expect(queued(a.broker)).toBe(0);

      await server.start();
      await waitFor(() => a.broker.status === 'up' && b.broker.status === 'up', 'up again', 15_000);

      // History is gone: each node says so for its channel, with both positions.
      await waitFor(() => a.gaps.length > 0 && b.gaps.length > 0, 'gap reports');
      for (const gap of [a.gaps[0]!, b.gaps[0]!]) {
        expect(gap).toMatchObject({ channel: 'r1', cause: 'reconnect', recovered: false, from: before });
        expect(gap.to.epoch).not.toBe(before.epoch);
      }
      const after = await b.broker.position('r1');
      expect(after.epoch).not.toBe(before.epoch);
      expect(await b.broker.history('r1', before)).toMatchObject({ recovered: false });

      // A's members were re-added by A (a2 too: it was owned when the set failed).
      await waitFor(async () => (await b.broker.presenceMembers('r1')).length === 2, 'presence re-asserted');
      expect((await b.broker.presenceMembers('r1')).map((m) => m.conn).sort()).toEqual(['a1', 'a2']);

      const fresh = await b.broker.publish('r1', json('fresh'), { volatile: false });
      expect(fresh).toMatchObject({ epoch: after.epoch, offset: 1 });
      await waitFor(
        () => a.events.messages('r1').some((m) => m.value === 'fresh'),
        'delivered in the new epoch',
      );
      expect(a.events.messages('r1').at(-1)).toEqual({ epoch: after.epoch, offset: 1, value: 'fresh' });
    } finally {
      await Promise.all(open.splice(0).map((broker) => broker.close()));
      await server.kill();
    }
  });
});
