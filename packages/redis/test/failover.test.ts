/**
 * Sentinel failovers with real processes (a master, a replica behind a TCP proxy, three
 * Sentinels): the replica is made to lag by stalling the proxy, the master is killed with
 * SIGKILL, Sentinel promotes the replica, and a node keeps publishing every 5 ms throughout.
 * Two brokers as two nodes record what they deliver and report.
 *
 * - Default mode: what only the old master had is gone, so the promoted replica's offset
 *   counter is behind what the nodes delivered. The channel must start a new epoch: no
 *   position may name two messages, and every node and every resume from before is told.
 * - `waitForReplicas`: nothing is seen before the replica has it, so the failover loses
 *   nothing seen: the epoch stays and delivery goes on without a hole.
 */
import { isSockkitError } from '@sockkit/core';
import { silentLogger } from '@sockkit/server';
import { uniquePrefix } from '@sockkit/testing/redis';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBroker, type RedisBrokerOptions } from '../src/broker.js';
import type { GapReport } from '../src/feed.js';
import { channelKeys } from '../src/keys.js';
import { Events, hasRedisServer, json, sleep, waitFor } from './helpers.js';
import { SentinelSetup } from './sentinels.js';

const canSpawn = await hasRedisServer();

interface Node {
  broker: RedisBroker;
  events: Events;
  gaps: GapReport[];
}

interface Accepted {
  value: string;
  epoch: string;
  offset: number;
  /** When the publish resolved. */
  at: number;
}

/** Publishes `<tag>-1, <tag>-2, ...` every 5 ms until `enough` were accepted (or the deadline). */
async function keepPublishing(broker: RedisBroker, channel: string, tag: string, enough: number, ms: number) {
  const accepted: Accepted[] = [];
  const failedAt: number[] = [];
  const deadline = Date.now() + ms;
  for (let n = 1; accepted.length < enough && Date.now() < deadline; n++) {
    const value = `${tag}-${n}`;
    try {
      const message = await broker.publish(channel, json(value), { volatile: false });
      accepted.push({ value, epoch: message.epoch, offset: message.offset!, at: Date.now() });
    } catch (error) {
      if (!isSockkitError(error, 'UNAVAILABLE')) throw error;
      failedAt.push(Date.now());
    }
    await sleep(5);
  }
  return { accepted, failedAt };
}

/** How long publishes failed: from the kill to the first publish accepted after the last failure. */
function window(killedAt: number, accepted: Accepted[], failedAt: number[]) {
  const last = failedAt.at(-1) ?? killedAt;
  const back = accepted.find((m) => m.at > last);
  return { failures: failedAt.length, unavailableMs: back ? back.at - killedAt : undefined };
}

/** The values a node delivered on `ch`, in order. */
function delivered(n: Node): string[] {
  return n.events.messages('ch').map((m) => m.value as string);
}

/** Waits until the nodes delivered `values`, bounded: one that dropped some never does, and the checks after say which. */
async function settle(nodes: Node[], values: string[]): Promise<void> {
  await waitFor(
    () => nodes.every((n) => values.every((v) => delivered(n).includes(v))),
    'the new messages on both nodes',
  ).catch(() => {});
}

/** Positions that name more than one message, across everything the nodes delivered. */
function reusedPositions(nodes: Node[], channel: string): string[] {
  const named = new Map<string, Set<unknown>>();
  for (const node of nodes) {
    for (const m of node.events.messages(channel)) {
      const key = `${m.epoch}:${m.offset}`;
      const values = named.get(key) ?? new Set();
      values.add(m.value);
      named.set(key, values);
    }
  }
  return [...named]
    .filter(([, values]) => values.size > 1)
    .map(([key, values]) => `${key}=${[...values].join('|')}`);
}

async function metaOffset(port: number, prefix: string, channel: string): Promise<string | null> {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  try {
    return await redis.hget(channelKeys(prefix, channel).meta, 'o');
  } finally {
    redis.disconnect();
  }
}

describe.skipIf(!canSpawn)('Sentinel failover to a lagging replica (real processes)', () => {
  let setup: SentinelSetup | undefined;
  const open: RedisBroker[] = [];

  afterEach(async () => {
    await Promise.all(open.splice(0).map((broker) => broker.close({ leavePresence: false })));
    await setup?.stop();
    setup = undefined;
  });

  async function start(
    options: Partial<RedisBrokerOptions> = {},
  ): Promise<[SentinelSetup, Node, Node, string]> {
    setup = await SentinelSetup.start();
    const prefix = uniquePrefix('failover');
    const node = async (name: string): Promise<Node> => {
      const broker = new RedisBroker({
        prefix,
        node: name,
        logger: silentLogger,
        reconnectDelay: () => 100,
        redisOptions: setup!.redisOptions,
        ...options,
      });
      open.push(broker);
      const n: Node = { broker, events: new Events(), gaps: [] };
      broker.listen(n.events.listener);
      broker.on('gap', (gap) => n.gaps.push(gap));
      await broker.ready();
      await broker.subscribe('ch');
      return n;
    };
    return [setup, await node('a'), await node('b'), prefix];
  }

  it('default mode: the offsets the replica never got are not reused; every node and every resume is told recovered: false', async () => {
    const [setup, a, b, prefix] = await start();
    for (let i = 1; i <= 5; i++) await a.broker.publish('ch', json(`before-${i}`), { volatile: false });
    await setup.synced();

    // The replica falls behind: these five reach both nodes from the master, never the replica.
    setup.link.stall();
    for (let i = 1; i <= 5; i++) await a.broker.publish('ch', json(`lost-${i}`), { volatile: false });
    await waitFor(() => b.events.messages('ch').length === 10, 'the lagging messages delivered');
    const held = await b.broker.position('ch');
    expect(held.offset).toBe(10);
    expect(await metaOffset(setup.replica.port, prefix, 'ch')).toBe('5');

    const killedAt = Date.now();
    const publishing = keepPublishing(a.broker, 'ch', 'after', 20, 30_000);
    await setup.master.kill('SIGKILL');
    setup.link.cut();
    await setup.promoted();
    const { accepted, failedAt } = await publishing;
    expect(accepted).toHaveLength(20);
    console.log(`failover window (default mode): ${JSON.stringify(window(killedAt, accepted, failedAt))}`);

    // Accepted after the first failure means accepted by the promoted replica. (One or two
    // accepted just after the kill signal was sent went to the old master, and are lost.)
    expect(failedAt.length).toBeGreaterThan(0);
    const promoted = accepted.filter((m) => m.at > failedAt[0]!);
    expect(promoted.length).toBeGreaterThan(0);
    expect(promoted.filter((m) => m.epoch === held.epoch)).toEqual([]);

    const values = promoted.map((m) => m.value);
    await settle([a, b], values);

    expect(reusedPositions([a, b], 'ch')).toEqual([]);
    for (const n of [a, b]) {
      // Every publish the promoted replica accepted, once, in order.
      expect(delivered(n).filter((v) => values.includes(v))).toEqual(values);
      // Told: the history of the old epoch is gone.
      expect(
        n.gaps.some((g) => !g.recovered && g.from.epoch === held.epoch && g.to.epoch !== held.epoch),
      ).toBe(true);
    }
    // A client resuming from what it held before the failover is told too.
    expect(await b.broker.history('ch', held)).toMatchObject({ recovered: false });
  }, 90_000);

  it('waitForReplicas: nothing unacknowledged is seen, the failover loses nothing seen, the epoch and offsets go on', async () => {
    const [setup, a, b, prefix] = await start({ waitForReplicas: { replicas: 1, timeoutMs: 300 } });
    for (let i = 1; i <= 5; i++) await a.broker.publish('ch', json(`before-${i}`), { volatile: false });
    const before = await b.broker.position('ch');
    expect(before.offset).toBe(5);

    setup.link.stall();
    const unacked = await a.broker.publish('ch', json('unacked'), { volatile: false }).then(
      () => 'resolved',
      (error: unknown) => (isSockkitError(error, 'UNAVAILABLE') ? 'UNAVAILABLE' : String(error)),
    );
    expect(unacked).toBe('UNAVAILABLE');
    // On the master only, and published to no one.
    expect(await metaOffset(setup.master.port, prefix, 'ch')).toBe('6');
    expect(await metaOffset(setup.replica.port, prefix, 'ch')).toBe('5');
    await sleep(200);
    for (const n of [a, b]) expect(n.events.messages('ch')).toHaveLength(5);

    const killedAt = Date.now();
    const publishing = keepPublishing(a.broker, 'ch', 'after', 20, 45_000);
    await setup.master.kill('SIGKILL');
    setup.link.cut();
    await setup.promoted();
    // The promoted master has no replica, so WAIT fails until the old one rejoins as one.
    await setup.rejoin();
    const { accepted, failedAt } = await publishing;
    expect(accepted).toHaveLength(20);
    console.log(`failover window (waitForReplicas): ${JSON.stringify(window(killedAt, accepted, failedAt))}`);

    const values = accepted.map((m) => m.value);
    await settle([a, b], values);

    expect(reusedPositions([a, b], 'ch')).toEqual([]);
    expect(accepted.every((m) => m.epoch === before.epoch)).toBe(true);
    for (const n of [a, b]) {
      const messages = n.events.messages('ch');
      // One epoch, offsets 1, 2, 3, ... without a hole; the unacknowledged one never shown.
      expect(messages.every((m) => m.epoch === before.epoch)).toBe(true);
      expect(messages.map((m) => m.offset)).toEqual(messages.map((_, i) => i + 1));
      expect(delivered(n)).not.toContain('unacked');
      // Every accepted publish, in order (a publish that failed its WAIT may show up too).
      expect(delivered(n).filter((v) => values.includes(v))).toEqual(values);
      expect(n.gaps.filter((g) => !g.recovered)).toEqual([]);
    }
    const resumed = await b.broker.history('ch', before);
    expect(resumed.recovered).toBe(true);
  }, 120_000);
});
