import { ManualClock } from '@sockkit/testing';
import { describe, expect, it } from 'vitest';
import type { BrokerEvent, HistoryReply } from '../src/broker.js';
import { MemoryBroker } from '../src/memory-broker.js';

const payload = (n: number) => ({ json: String(n), meta: undefined });
const offsets = (reply: HistoryReply) => (reply.recovered ? reply.messages.map((m) => m.offset) : 'lost');

describe('MemoryBroker', () => {
  it('assigns contiguous offsets per channel and delivers live events in order', async () => {
    const broker = new MemoryBroker();
    const events: [string, BrokerEvent][] = [];
    broker.listen((channel, event) => events.push([channel, event]));
    await broker.subscribe('a');
    const first = await broker.publish('a', payload(1), { volatile: false });
    const other = await broker.publish('b', payload(9), { volatile: false });
    await broker.publish('a', payload(2), { volatile: true });
    await broker.publish('a', payload(3), { volatile: false });
    expect(events.map(([c, e]) => [c, e.kind === 'message' ? e.offset : null])).toEqual([
      ['a', 1],
      ['a', undefined],
      ['a', 2],
    ]);
    expect(await broker.position('a')).toEqual({ epoch: first.epoch, offset: 2 });
    expect(await broker.position('b')).toEqual({ epoch: other.epoch, offset: 1 });
    expect(first.epoch.length).toBeLessThanOrEqual(64);
    await broker.close();
  });

  it('bounds history by count', async () => {
    const broker = new MemoryBroker({ historySize: 3 });
    let last = await broker.publish('a', payload(1), { volatile: false });
    for (let n = 2; n <= 10; n++) last = await broker.publish('a', payload(n), { volatile: false });
    const { epoch } = last;
    expect(await broker.history('a', { epoch, offset: 7 })).toMatchObject({
      recovered: true,
      messages: [{ offset: 8 }, { offset: 9 }, { offset: 10 }],
    });
    expect(await broker.history('a', { epoch, offset: 6 })).toMatchObject({
      recovered: false,
      position: { offset: 10 },
    });
    expect(broker.stats()).toMatchObject({ channels: 1, messages: 3 });
    await broker.close();
  });

  it('bounds history by age', async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ historyTtlMs: 1000, clock });
    const { epoch } = await broker.publish('a', payload(1), { volatile: false });
    clock.advance(600);
    await broker.publish('a', payload(2), { volatile: false });
    clock.advance(600);
    expect(await broker.history('a', { epoch, offset: 0 })).toMatchObject({ recovered: false });
    expect(await broker.history('a', { epoch, offset: 1 })).toMatchObject({
      recovered: true,
      messages: [{ offset: 2 }],
    });
    await broker.close();
  });

  it('refuses another epoch, and reports nothing missed at the head', async () => {
    const broker = new MemoryBroker();
    const { epoch } = await broker.publish('a', payload(1), { volatile: false });
    expect(await broker.history('a', { epoch: 'other', offset: 1 })).toMatchObject({ recovered: false });
    expect(await broker.history('a', { epoch, offset: 1 })).toEqual({
      recovered: true,
      position: { epoch, offset: 1 },
      messages: [],
    });
    const restarted = new MemoryBroker();
    expect((await restarted.publish('a', payload(1), { volatile: false })).epoch).not.toBe(epoch);
    await Promise.all([broker.close(), restarted.close()]);
  });

  it('keeps presence per channel and tells listeners', async () => {
    const broker = new MemoryBroker();
    const events: string[] = [];
    broker.listen((_c, e) => e.kind === 'presence' && events.push(`${e.type}:${e.member.conn}`));
    await broker.subscribe('a');
    const state = { json: '{"n":1}', meta: undefined };
    await broker.presenceSet('a', { conn: 'c1', user: 'u1', state }, 'join');
    await broker.presenceSet('a', { conn: 'c2', user: undefined, state }, 'join');
    await broker.presenceLeave('a', 'c1');
    await broker.presenceLeave('a', 'c1');
    expect(events).toEqual(['join:c1', 'join:c2', 'leave:c1']);
    expect((await broker.presenceMembers('a')).map((m) => m.conn)).toEqual(['c2']);
    await broker.close();
  });

  it('refuses option values that bound nothing', () => {
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => new MemoryBroker({ historySize: bad })).toThrow(RangeError);
      expect(() => new MemoryBroker({ historyTtlMs: bad })).toThrow(RangeError);
      expect(() => new MemoryBroker({ totalHistorySize: bad })).toThrow(RangeError);
      expect(() => new MemoryBroker({ totalHistoryBytes: bad })).toThrow(RangeError);
    }
  });
});

describe('MemoryBroker history paging (limit)', () => {
  async function channel(count: number) {
    const broker = new MemoryBroker();
    let epoch = '';
    for (let n = 1; n <= count; n++)
      epoch = (await broker.publish('a', payload(n), { volatile: false })).epoch;
    return { broker, epoch };
  }

  it('returns at most limit messages, oldest first after since, with recovered and the head as before', async () => {
    const { broker, epoch } = await channel(10);
    const page = await broker.history('a', { epoch, offset: 2 }, 3);
    expect(page).toMatchObject({ recovered: true, position: { epoch, offset: 10 } });
    expect(offsets(page)).toEqual([3, 4, 5]);
    // Paging from the last offset read reaches the head.
    const pages: (number | undefined)[][] = [];
    let since = 0;
    for (;;) {
      const reply = await broker.history('a', { epoch, offset: since }, 4);
      if (!reply.recovered || reply.messages.length === 0) break;
      pages.push(reply.messages.map((m) => m.offset));
      since = reply.messages.at(-1)!.offset!;
    }
    expect(pages).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    await broker.close();
  });

  it('at the boundaries: nothing left, exactly limit left, limit + 1 left, limit 0', async () => {
    const { broker, epoch } = await channel(10);
    expect(offsets(await broker.history('a', { epoch, offset: 10 }, 3))).toEqual([]);
    expect(offsets(await broker.history('a', { epoch, offset: 7 }, 3))).toEqual([8, 9, 10]);
    expect(offsets(await broker.history('a', { epoch, offset: 6 }, 3))).toEqual([7, 8, 9]);
    expect(offsets(await broker.history('a', { epoch, offset: 6 }, 4))).toEqual([7, 8, 9, 10]);
    expect(offsets(await broker.history('a', { epoch, offset: 6 }, 5))).toEqual([7, 8, 9, 10]);
    expect(await broker.history('a', { epoch, offset: 6 }, 0)).toEqual({
      recovered: true,
      position: { epoch, offset: 10 },
      messages: [],
    });
    await broker.close();
  });

  it('answers recovered: false whatever the limit once history no longer reaches back', async () => {
    const broker = new MemoryBroker({ historySize: 5 });
    let epoch = '';
    for (let n = 1; n <= 10; n++) epoch = (await broker.publish('a', payload(n), { volatile: false })).epoch;
    for (const limit of [0, 1, 5, 100]) {
      expect(await broker.history('a', { epoch, offset: 4 }, limit)).toEqual({
        recovered: false,
        position: { epoch, offset: 10 },
      });
      expect((await broker.history('a', { epoch, offset: 5 }, limit)).recovered).toBe(true);
    }
    await broker.close();
  });

  it('refuses a limit that is not a non-negative integer', async () => {
    const { broker, epoch } = await channel(3);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(broker.history('a', { epoch, offset: 0 }, bad)).rejects.toThrow(RangeError);
    }
    await broker.close();
  });
});

describe('MemoryBroker recent (the last N messages)', () => {
  it('reads the last N: fewer when history holds fewer, none of an empty channel, none aged out', async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock, historySize: 10, historyTtlMs: 1000 });
    expect(await broker.recent('r', 5)).toMatchObject({ position: { offset: 0 }, messages: [] });
    for (let n = 1; n <= 40; n++) await broker.publish('r', payload(n), { volatile: false });
    const last = async (limit: number) => (await broker.recent('r', limit)).messages.map((m) => m.offset);
    expect(await last(3)).toEqual([38, 39, 40]);
    expect(await last(0)).toEqual([]);
    expect(await last(10)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect(await last(11)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect((await broker.recent('r', 1)).position.offset).toBe(40);
    clock.advance(1001);
    expect(await last(5)).toEqual([]);
    await expect(broker.recent('r', -1)).rejects.toThrow(RangeError);
    await broker.close();
  });
});

describe('MemoryBroker releases what it no longer needs', () => {
  it('10,000 channels published to while subscribed, then left: every entry is gone once history ages out', async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock, historyTtlMs: 60_000 });
    const delivered: string[] = [];
    broker.listen((channel) => delivered.push(channel));
    const N = 10_000;
    for (let i = 0; i < N; i++) {
      const channel = `room:${i}`;
      await broker.subscribe(channel);
      await broker.presenceSet(channel, { conn: `c${i}`, user: undefined, state: payload(i) }, 'join');
      await broker.publish(channel, payload(i), { volatile: false });
      await broker.publish(channel, payload(i), { volatile: true });
      await broker.presenceLeave(channel, `c${i}`);
      await broker.unsubscribe(channel);
    }
    expect(delivered.length).toBe(N * 4);
    // Left, but their history is still within its age: a resume now would be served.
    expect(broker.stats()).toMatchObject({ channels: N, messages: N });
    clock.advance(59_000);
    expect(broker.stats()).toMatchObject({ channels: N, messages: N });
    // No read, no publish: the sweep alone releases them.
    clock.advance(2_000);
    expect(broker.stats()).toEqual({ channels: 0, messages: 0, bytes: 0 });
    await broker.close();
  });

  it('does the same again and again without growing (no residue per round)', async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock, historyTtlMs: 1_000 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 2_000; i++) {
        const channel = `r${round}:${i}`;
        await broker.subscribe(channel);
        await broker.publish(channel, payload(i), { volatile: false });
        await broker.unsubscribe(channel);
      }
      expect(broker.stats().channels).toBe(2_000);
      clock.advance(2_000);
      expect(broker.stats()).toEqual({ channels: 0, messages: 0, bytes: 0 });
    }
    await broker.close();
  });

  it('keeps a channel while it is subscribed or has a member, then releases it', async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock, historyTtlMs: 1_000 });
    await broker.subscribe('live');
    await broker.publish('live', payload(1), { volatile: false });
    await broker.presenceSet('present', { conn: 'c1', user: undefined, state: payload(0) }, 'join');
    clock.advance(5_000);
    expect(broker.stats()).toMatchObject({ channels: 2, messages: 0 });
    expect((await broker.position('live')).offset).toBe(1);
    await broker.unsubscribe('live');
    await broker.presenceLeave('present', 'c1');
    expect(broker.stats().channels).toBe(0);
    await broker.close();
  });

  it('holds nothing for reads, volatile publishes or presence reads of channels nobody uses', async () => {
    const broker = new MemoryBroker();
    await broker.position('x');
    await broker.history('y', { epoch: 'old', offset: 3 });
    await broker.publish('z', payload(1), { volatile: true });
    await broker.presenceMembers('w');
    await broker.presenceLeave('v', 'c1');
    await broker.unsubscribe('u');
    expect(broker.stats()).toEqual({ channels: 0, messages: 0, bytes: 0 });
    await broker.close();
  });

  it('a channel made again starts a new epoch, so an old position is not recovered', async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock, historyTtlMs: 1_000 });
    await broker.subscribe('a');
    let old = await broker.publish('a', payload(1), { volatile: false });
    old = await broker.publish('a', payload(2), { volatile: false });
    await broker.unsubscribe('a');
    clock.advance(2_000);
    expect(broker.stats().channels).toBe(0);
    await broker.subscribe('a');
    const again = await broker.publish('a', payload(1), { volatile: false });
    expect(again.offset).toBe(1);
    expect(again.epoch).not.toBe(old.epoch);
    expect(again.epoch.length).toBeLessThanOrEqual(64);
    // The old (epoch, offset) would name offset 1 of a different history: refused.
    expect(await broker.history('a', { epoch: old.epoch, offset: 0 })).toEqual({
      recovered: false,
      position: { epoch: again.epoch, offset: 1 },
    });
    expect(await broker.history('a', { epoch: old.epoch, offset: 2 })).toMatchObject({ recovered: false });
    await broker.close();
  });

  it('stops its sweep on close', async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock });
    expect(clock.pending()).toHaveLength(1);
    await broker.close();
    expect(clock.pending()).toHaveLength(0);
  });
});

describe('MemoryBroker node-wide history bound', () => {
  it('by count: the oldest messages across channels leave first, and a resume behind them is not recovered', async () => {
    const broker = new MemoryBroker({ totalHistorySize: 5 });
    const a1 = await broker.publish('a', payload(1), { volatile: false });
    const b1 = await broker.publish('b', payload(1), { volatile: false });
    await broker.publish('a', payload(2), { volatile: false });
    await broker.publish('b', payload(2), { volatile: false });
    await broker.publish('c', payload(1), { volatile: false });
    expect(broker.stats()).toMatchObject({ channels: 3, messages: 5 });
    // Exactly at the bound: everything is still there.
    expect(offsets(await broker.history('a', { epoch: a1.epoch, offset: 0 }))).toEqual([1, 2]);
    // One over: a:1, the node's oldest, leaves; b:1 stays.
    await broker.publish('c', payload(2), { volatile: false });
    expect(broker.stats().messages).toBe(5);
    expect(await broker.history('a', { epoch: a1.epoch, offset: 0 })).toEqual({
      recovered: false,
      position: { epoch: a1.epoch, offset: 2 },
    });
    expect(offsets(await broker.history('a', { epoch: a1.epoch, offset: 1 }))).toEqual([2]);
    expect(offsets(await broker.history('b', { epoch: b1.epoch, offset: 0 }))).toEqual([1, 2]);
    // A busy channel pushes every other channel's history out, and the idle ones are released.
    for (let n = 3; n <= 7; n++) await broker.publish('c', payload(n), { volatile: false });
    expect(broker.stats()).toMatchObject({ channels: 1, messages: 5 });
    await broker.close();
  });

  it('by bytes of encoded payloads (json and meta, UTF-8)', async () => {
    const broker = new MemoryBroker({ totalHistoryBytes: 100 });
    const text = (chars: number) => ({ json: 'é'.repeat(chars / 2), meta: undefined }); // 2 bytes per char
    const first = await broker.publish('a', text(40), { volatile: false });
    await broker.publish('b', { json: 'x'.repeat(30), meta: 'y'.repeat(30) }, { volatile: false });
    expect(broker.stats()).toMatchObject({ messages: 2, bytes: 100 });
    expect((await broker.history('a', { epoch: first.epoch, offset: 0 })).recovered).toBe(true);
    // One byte over: the oldest leaves.
    await broker.publish('b', { json: '1', meta: undefined }, { volatile: false });
    expect(broker.stats()).toMatchObject({ channels: 1, messages: 2, bytes: 61 });
    expect(await broker.history('a', { epoch: 'gone', offset: 0 })).toMatchObject({ recovered: false });
    // A message bigger than the whole bound is delivered but not kept.
    const events: BrokerEvent[] = [];
    broker.listen((_c, e) => events.push(e));
    await broker.subscribe('big');
    const big = await broker.publish('big', { json: 'z'.repeat(101), meta: undefined }, { volatile: false });
    expect(big.offset).toBe(1);
    expect(events).toHaveLength(1);
    expect(broker.stats()).toEqual({ channels: 1, messages: 0, bytes: 0 });
    expect(await broker.history('big', { epoch: big.epoch, offset: 0 })).toMatchObject({ recovered: false });
    await broker.close();
  });
});
