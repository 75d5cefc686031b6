/**
 * RedisBroker contract against a real Redis: two broker instances play two nodes. Each test
 * uses its own channels under one prefix per run, deleted in afterAll.
 */

import { silentLogger } from '@sockkit/server';
import { findRedis } from '@sockkit/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisBroker, type RedisBrokerOptions } from '../src/broker.js';
import type { GapReport } from '../src/feed.js';
import { channelKeys } from '../src/keys.js';
import { deleteKeys, Events, json, ManualClock, sleep, uniquePrefix, waitFor } from './helpers.js';

const url = await findRedis();
const prefix = uniquePrefix('broker');

describe.skipIf(!url)('RedisBroker (real Redis)', () => {
  const redisUrl = url!;
  const open: RedisBroker[] = [];
  let admin: Redis | undefined;

  async function node(options: RedisBrokerOptions = {}): Promise<{ broker: RedisBroker; events: Events }> {
    const broker = new RedisBroker({ url: redisUrl, prefix, logger: silentLogger, ...options });
    open.push(broker);
    const events = new Events();
    broker.listen(events.listener);
    await broker.ready();
    return { broker, events };
  }

  async function adminRedis(): Promise<Redis> {
    admin ??= new Redis(redisUrl);
    return admin;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((broker) => broker.close()));
  });

  afterAll(async () => {
    admin?.disconnect();
    await deleteKeys(redisUrl, prefix);
  });

  it('assigns contiguous offsets across two nodes, delivered in the same order everywhere', async () => {
    const a = await node();
    const b = await node();
    await Promise.all([a.broker.subscribe('c1'), b.broker.subscribe('c1')]);
    const sent = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? a : b).broker.publish('c1', json({ i }), { volatile: false }),
      ),
    );
    const offsets = sent.map((m) => m.offset).sort((x, y) => x! - y!);
    expect(offsets).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(new Set(sent.map((m) => m.epoch)).size).toBe(1);
    await waitFor(
      () => a.events.messages('c1').length === 60 && b.events.messages('c1').length === 60,
      'delivery',
    );
    const byOffset = new Map(sent.map((m) => [m.offset, JSON.parse(m.payload.json!)]));
    for (const { events } of [a, b]) {
      const got = events.messages('c1');
      expect(got.map((m) => m.offset)).toEqual(offsets);
      for (const m of got) expect(m.value).toEqual(byOffset.get(m.offset));
    }
    expect(await b.broker.position('c1')).toEqual({ epoch: sent[0]!.epoch, offset: 60 });
  });

  it('resumes from history on any node; refuses a future offset or another epoch', async () => {
    const a = await node();
    const b = await node();
    const sent = [];
    for (let i = 1; i <= 5; i++) sent.push(await a.broker.publish('c2', json({ i }), { volatile: false }));
    const epoch = sent[0]!.epoch;
    const reply = await b.broker.history('c2', { epoch, offset: 2 });
    expect(reply.recovered).toBe(true);
    if (!reply.recovered) return;
    expect(reply.messages.map((m) => [m.offset, m.payload.json])).toEqual([
      [3, '{"i":3}'],
      [4, '{"i":4}'],
      [5, '{"i":5}'],
    ]);
    expect(reply.position).toEqual({ epoch, offset: 5 });
    expect(await b.broker.history('c2', { epoch, offset: 5 })).toEqual({
      recovered: true,
      position: { epoch, offset: 5 },
      messages: [],
    });
    expect(await b.broker.history('c2', { epoch, offset: 6 })).toEqual({
      recovered: false,
      position: { epoch, offset: 5 },
    });
    expect(await b.broker.history('c2', { epoch: 'other', offset: 1 })).toEqual({
      recovered: false,
      position: { epoch, offset: 5 },
    });
  });

  it('keeps payload metadata and empty values as they were encoded', async () => {
    const a = await node();
    const payload = { json: '"2024-01-01T00:00:00.000Z"', meta: '{"values":["Date"]}' };
    const m = await a.broker.publish('c3', payload, { volatile: false });
    await a.broker.publish('c3', { json: undefined, meta: undefined }, { volatile: false });
    const reply = await a.broker.history('c3', { epoch: m.epoch, offset: 0 });
    expect(reply.recovered && reply.messages.map((x) => x.payload)).toEqual([
      payload,
      { json: undefined, meta: undefined },
    ]);
  });

  it('reports recovered: false once history is trimmed by size', async () => {
    const a = await node({ historySize: 10 });
    let last = await a.broker.publish('c4', json(0), { volatile: false });
    for (let i = 1; i < 300; i++) last = await a.broker.publish('c4', json(i), { volatile: false });
    const epoch = last.epoch;
    expect((await a.broker.history('c4', { epoch, offset: 1 })).recovered).toBe(false);
    const recent = await a.broker.history('c4', { epoch, offset: 295 });
    expect(recent.recovered && recent.messages.map((m) => m.offset)).toEqual([296, 297, 298, 299, 300]);
    const length = await (await adminRedis()).xlen(channelKeys(prefix, 'c4').log);
    expect(length).toBeLessThan(300);
  });

  it('drops messages older than historyTtlMs from history (and from the stream on the next publish)', async () => {
    const a = await node({ historyTtlMs: 100, channelTtlMs: 60_000 });
    const first = await a.broker.publish('c5', json(1), { volatile: false });
    await a.broker.publish('c5', json(2), { volatile: false });
    await sleep(250);
    const epoch = first.epoch;
    expect(await a.broker.history('c5', { epoch, offset: 0 })).toEqual({
      recovered: false,
      position: { epoch, offset: 2 },
    });
    expect((await a.broker.history('c5', { epoch, offset: 2 })).recovered).toBe(true);
    await a.broker.publish('c5', json(3), { volatile: false });
    expect(await (await adminRedis()).xlen(channelKeys(prefix, 'c5').log)).toBe(1);
    const reply = await a.broker.history('c5', { epoch, offset: 2 });
    expect(reply.recovered && reply.messages.map((m) => m.offset)).toEqual([3]);
  });

  it('starts a new epoch when Redis lost the channel, and tells live nodes', async () => {
    const a = await node();
    const b = await node();
    const gaps: GapReport[] = [];
    b.broker.on('gap', (gap) => gaps.push(gap));
    for (let i = 1; i <= 3; i++) await a.broker.publish('c6', json(i), { volatile: false });
    const before = await a.broker.position('c6');
    await b.broker.subscribe('c6');
    const keys = channelKeys(prefix, 'c6');
    await (await adminRedis()).del(keys.meta, keys.log);
    const after = await a.broker.position('c6');
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.offset).toBe(0);
    expect(await a.broker.history('c6', before)).toEqual({ recovered: false, position: after });
    const m = await a.broker.publish('c6', json('new'), { volatile: false });
    expect(m).toMatchObject({ epoch: after.epoch, offset: 1 });
    await waitFor(() => b.events.messages('c6').length === 1, 'delivery');
    expect(b.events.messages('c6')[0]).toEqual({ epoch: after.epoch, offset: 1, value: 'new' });
    expect(gaps).toEqual([
      {
        channel: 'c6',
        cause: 'epoch',
        from: before,
        to: { epoch: after.epoch, offset: 1 },
        recovered: false,
        filled: 0,
      },
    ]);
  });

  it('fans out volatile messages without an offset or history', async () => {
    const a = await node();
    const b = await node();
    await b.broker.subscribe('c7');
    const durable = await a.broker.publish('c7', json('d'), { volatile: false });
    const volatile = await a.broker.publish('c7', json('v'), { volatile: true });
    expect(volatile).toMatchObject({ epoch: durable.epoch, offset: undefined });
    await waitFor(() => b.events.messages('c7').length === 2, 'delivery');
    expect(b.events.messages('c7')).toEqual([
      { epoch: durable.epoch, offset: 1, value: 'd' },
      { epoch: durable.epoch, offset: undefined, value: 'v' },
    ]);
    expect(await a.broker.position('c7')).toEqual({ epoch: durable.epoch, offset: 1 });
    const reply = await a.broker.history('c7', { epoch: durable.epoch, offset: 0 });
    expect(reply.recovered && reply.messages.length).toBe(1);
  });

  it('shows presence as the union of every node, with joins, updates and leaves everywhere', async () => {
    const a = await node();
    const b = await node();
    await Promise.all([a.broker.subscribe('c8'), b.broker.subscribe('c8')]);
    const state = (name: string) => json({ name });
    await a.broker.presenceSet('c8', { conn: 'a1', user: 'ua', state: state('A') }, 'join');
    await b.broker.presenceSet('c8', { conn: 'b1', user: 'ub', state: state('B') }, 'join');
    await b.broker.presenceSet('c8', { conn: 'b2', user: undefined, state: state('B2') }, 'join');
    await b.broker.presenceSet('c8', { conn: 'b1', user: 'ub', state: state('B!') }, 'update');
    for (const { broker } of [a, b]) {
      const members = await broker.presenceMembers('c8');
      expect(members.map((m) => [m.conn, m.user, m.state.json]).sort()).toEqual([
        ['a1', 'ua', '{"name":"A"}'],
        ['b1', 'ub', '{"name":"B!"}'],
        ['b2', undefined, '{"name":"B2"}'],
      ]);
    }
    await b.broker.presenceLeave('c8', 'b2');
    await b.broker.presenceLeave('c8', 'b2');
    const expected = ['join:a1', 'join:b1', 'join:b2', 'update:b1', 'leave:b2'];
    await waitFor(
      () => a.events.presence('c8').length === 5 && b.events.presence('c8').length === 5,
      'presence',
    );
    expect(a.events.presence('c8')).toEqual(expected);
    expect(b.events.presence('c8')).toEqual(expected);
  });

  it("expires a dead node's members within the lease, while a live node's stay", async () => {
    const deadClock = new ManualClock();
    const liveClock = new ManualClock();
    const dead = await node({ leaseMs: 300, clock: deadClock });
    const live = await node({ leaseMs: 300, clock: liveClock });
    await live.broker.subscribe('c9');
    await dead.broker.presenceSet('c9', { conn: 'ghost', user: 'u', state: json(1) }, 'join');
    await live.broker.presenceSet('c9', { conn: 'alive', user: 'u', state: json(2) }, 'join');
    // The dead node never renews and goes away without leaving (like SIGKILL).
    await dead.broker.close({ leavePresence: false });
    await waitFor(
      async () => {
        await live.broker.tick();
        return live.events.presence('c9').includes('leave:ghost');
      },
      'ghost reaped',
      5000,
    );
    expect((await live.broker.presenceMembers('c9')).map((m) => m.conn)).toEqual(['alive']);
    expect(live.events.presence('c9')).not.toContain('leave:alive');
  });

  it('closes cleanly (its members leave) and then refuses work with UNAVAILABLE', async () => {
    const a = await node();
    const b = await node();
    await b.broker.subscribe('c10');
    await a.broker.presenceSet('c10', { conn: 'a1', user: undefined, state: json(1) }, 'join');
    await a.broker.close();
    expect(await b.broker.presenceMembers('c10')).toEqual([]);
    await waitFor(() => b.events.presence('c10').join() === 'join:a1,leave:a1', 'leave on close');
    await expect(a.broker.publish('c10', json(1), { volatile: false })).rejects.toMatchObject({
      name: 'SockkitError',
      code: 'UNAVAILABLE',
    });
    expect(a.broker.status).toBe('closed');
  });

  it('pages history with limit: at most that many, oldest first, recovered and the head unchanged', async () => {
    const a = await node();
    let epoch = '';
    for (let i = 1; i <= 10; i++) epoch = (await a.broker.publish('p1', json(i), { volatile: false })).epoch;
    const offsets = async (since: number, limit?: number) => {
      const reply = await a.broker.history('p1', { epoch, offset: since }, limit);
      expect(reply.position).toEqual({ epoch, offset: 10 });
      return reply.recovered ? reply.messages.map((m) => m.offset) : 'lost';
    };
    expect(await offsets(2, 3)).toEqual([3, 4, 5]);
    // Nothing left, exactly limit left, limit + 1 left, fewer than limit left.
    expect(await offsets(10, 3)).toEqual([]);
    expect(await offsets(7, 3)).toEqual([8, 9, 10]);
    expect(await offsets(6, 3)).toEqual([7, 8, 9]);
    expect(await offsets(8, 3)).toEqual([9, 10]);
    expect(await offsets(6, 0)).toEqual([]);
    expect(await offsets(0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const reply = await a.broker.history('p1', { epoch, offset: 0 }, 1);
    expect(reply.recovered && reply.messages.map((m) => m.payload.json)).toEqual(['1']);
    for (const bad of [-1, 1.5, Number.NaN]) {
      await expect(a.broker.history('p1', { epoch, offset: 0 }, bad)).rejects.toThrow(RangeError);
    }
  });

  it('pages answer recovered: false whatever the limit once history is trimmed', async () => {
    const a = await node({ historySize: 10 });
    let last = await a.broker.publish('p2', json(0), { volatile: false });
    for (let i = 1; i < 300; i++) last = await a.broker.publish('p2', json(i), { volatile: false });
    for (const limit of [0, 1, 50]) {
      expect(await a.broker.history('p2', { epoch: last.epoch, offset: 1 }, limit)).toEqual({
        recovered: false,
        position: { epoch: last.epoch, offset: 300 },
      });
    }
    const page = await a.broker.history('p2', { epoch: last.epoch, offset: 290 }, 2);
    expect(page.recovered && page.messages.map((m) => m.offset)).toEqual([291, 292]);
  });

  it('reads the last N messages: fewer when history holds fewer, none of an empty channel, none too old', async () => {
    const a = await node({ historySize: 10, historyTtlMs: 300, channelTtlMs: 60_000 });
    const empty = await a.broker.recent('r1', 5);
    expect(empty.messages).toEqual([]);
    expect(empty.position.offset).toBe(0);
    let last = await a.broker.publish('r1', json(1), { volatile: false });
    for (let i = 2; i <= 300; i++) last = await a.broker.publish('r1', json(i), { volatile: false });
    const offsets = async (limit: number) =>
      (await a.broker.recent('r1', limit)).messages.map((m) => m.offset);
    expect(await offsets(3)).toEqual([298, 299, 300]);
    expect(await offsets(0)).toEqual([]);
    // Asked for more than history holds (trimmed to about 10): what it holds, ending at the head.
    const all = await offsets(1000);
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.length).toBeLessThan(300);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => 301 - all.length + i));
    const reply = await a.broker.recent('r1', 1);
    expect(reply.position).toEqual({ epoch: last.epoch, offset: 300 });
    expect(reply.messages[0]?.payload.json).toBe('300');
    await sleep(400);
    expect(await offsets(5)).toEqual([]);
    await expect(a.broker.recent('r1', -1)).rejects.toThrow(RangeError);
  });

  it('idle channels expire: keys carry TTLs, and once left the node holds nothing for them', async () => {
    const ttls = { historyTtlMs: 1000, channelTtlMs: 1500, leaseMs: 500 };
    const a = await node(ttls);
    const b = await node(ttls);
    const channels = ['i1', 'i2', 'i3'];
    const old: Record<string, { epoch: string; offset: number | undefined }> = {};
    for (const channel of channels) {
      await a.broker.subscribe(channel);
      await a.broker.presenceSet(channel, { conn: `a-${channel}`, user: 'u', state: json(1) }, 'join');
      await b.broker.presenceSet(channel, { conn: `b-${channel}`, user: 'u', state: json(2) }, 'join');
      for (let i = 1; i <= 3; i++)
        old[channel] = await b.broker.publish(channel, json(i), { volatile: false });
      await b.broker.publish(channel, json('v'), { volatile: true });
    }
    // A channel only ever published to, and one only ever read: nobody watches them.
    old.i4 = await b.broker.publish('i4', json(1), { volatile: false });
    await b.broker.publish('i5', json('v'), { volatile: true });
    await a.broker.position('i6');
    channels.push('i4', 'i5', 'i6');
    await waitFor(() => a.events.messages('i3').length === 4, 'delivery');
    const redis = await adminRedis();
    const keysOf = async (channel: string) => (await redis.keys(`${prefix}{${channel}}:*`)).sort();
    // Every key a channel has expires by itself: none is without a TTL (PTTL -1). Only keys
    // of the channel's kind may exist (some may have expired already on a slow machine).
    for (const channel of channels) {
      const k = channelKeys(prefix, channel);
      const allowed: Record<string, string[]> = { i4: [k.log, k.meta], i5: [k.meta], i6: [k.meta] };
      const keys = await keysOf(channel);
      expect(allowed[channel] ?? [k.leases, k.log, k.members, k.meta, k.version]).toEqual(
        expect.arrayContaining(keys),
      );
      for (const key of keys) expect(await redis.pttl(key)).not.toBe(-1);
    }
    expect(a.broker.stats()).toEqual({ channels: 3, opening: 0, members: 3 });
    expect(a.broker.link.channels()).toHaveLength(3);

    // Everyone leaves (node b's members are left to their lease, as if b died).
    for (const channel of ['i1', 'i2', 'i3']) {
      await a.broker.presenceLeave(channel, `a-${channel}`);
      await a.broker.unsubscribe(channel);
    }
    await b.broker.close({ leavePresence: false });
    expect(a.broker.stats()).toEqual({ channels: 0, opening: 0, members: 0 });
    expect(a.broker.link.channels()).toEqual([]);
    // Redis forgets them once their TTLs pass (meta 1.5 s, presence 3 × 0.5 s); a key without
    // a TTL would stay and fail this.
    await waitFor(
      async () => {
        for (const channel of channels) if ((await keysOf(channel)).length > 0) return false;
        return true;
      },
      'keys expired',
      15_000,
    );
    // A client holding the old position is told recovered: false, in a new epoch.
    for (const channel of ['i1', 'i2', 'i3', 'i4']) {
      const reply = await a.broker.history(channel, { epoch: old[channel]!.epoch, offset: 2 });
      expect(reply.recovered).toBe(false);
      expect(reply.position.offset).toBe(0);
      expect(reply.position.epoch).not.toBe(old[channel]!.epoch);
    }
  });
});
