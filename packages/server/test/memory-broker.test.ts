import type { Clock } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import type { BrokerEvent } from '../src/broker.js';
import { MemoryBroker } from '../src/memory-broker.js';

const payload = (n: number) => ({ json: String(n), meta: undefined });

function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    setTimeout: () => 0 as never,
    clearTimeout: () => {},
    setInterval: () => 0 as never,
    clearInterval: () => {},
  };
}

describe('MemoryBroker', () => {
  it('assigns contiguous offsets per channel and delivers live events in order', async () => {
    const broker = new MemoryBroker();
    const events: [string, BrokerEvent][] = [];
    broker.listen((channel, event) => events.push([channel, event]));
    await broker.subscribe('a');
    await broker.publish('a', payload(1), { volatile: false });
    await broker.publish('b', payload(9), { volatile: false });
    await broker.publish('a', payload(2), { volatile: true });
    await broker.publish('a', payload(3), { volatile: false });
    expect(events.map(([c, e]) => [c, e.kind === 'message' ? e.offset : null])).toEqual([
      ['a', 1],
      ['a', undefined],
      ['a', 2],
    ]);
    expect(await broker.position('a')).toEqual({ epoch: broker.epoch, offset: 2 });
    expect(await broker.position('b')).toEqual({ epoch: broker.epoch, offset: 1 });
  });

  it('bounds history by count', async () => {
    const broker = new MemoryBroker({ historySize: 3 });
    for (let n = 1; n <= 10; n++) await broker.publish('a', payload(n), { volatile: false });
    expect(await broker.history('a', { epoch: broker.epoch, offset: 7 })).toMatchObject({
      recovered: true,
      messages: [{ offset: 8 }, { offset: 9 }, { offset: 10 }],
    });
    expect(await broker.history('a', { epoch: broker.epoch, offset: 6 })).toMatchObject({
      recovered: false,
      position: { offset: 10 },
    });
  });

  it('bounds history by age', async () => {
    const clock = manualClock();
    const broker = new MemoryBroker({ historyTtlMs: 1000, clock });
    await broker.publish('a', payload(1), { volatile: false });
    clock.advance(600);
    await broker.publish('a', payload(2), { volatile: false });
    clock.advance(600);
    expect(await broker.history('a', { epoch: broker.epoch, offset: 0 })).toMatchObject({ recovered: false });
    expect(await broker.history('a', { epoch: broker.epoch, offset: 1 })).toMatchObject({
      recovered: true,
      messages: [{ offset: 2 }],
    });
  });

  it('refuses another epoch, and reports nothing missed at the head', async () => {
    const broker = new MemoryBroker();
    await broker.publish('a', payload(1), { volatile: false });
    expect(await broker.history('a', { epoch: 'other', offset: 1 })).toMatchObject({ recovered: false });
    expect(await broker.history('a', { epoch: broker.epoch, offset: 1 })).toEqual({
      recovered: true,
      position: { epoch: broker.epoch, offset: 1 },
      messages: [],
    });
    expect(new MemoryBroker().epoch).not.toBe(broker.epoch);
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
  });
});
