/**
 * The collector alone, fed the observer events a server would send: the tick of an interval
 * has exactly what happened in it, the bounds hold from both sides, and the next interval
 * starts empty. No server and no wall clock: times come from a counter.
 */
import type { ObservedConnection, ServerSnapshot } from '@sockkit/server';
import { describe, expect, it } from 'vitest';
import { Collector, DEFAULT_COLLECTOR_LIMITS } from '../src/collector.js';
import { tickSchema } from '../src/contract.js';
import { percentile } from '../src/percentile.js';

const conn = (id: string, user?: string): ObservedConnection => ({
  id,
  user,
  openedAt: 0,
  request: { remoteAddress: '127.0.0.1' },
});

const snapshot = (connections = 0, extra: Partial<ServerSnapshot> = {}): ServerSnapshot => ({
  node: 'n1',
  at: 1000,
  broker: undefined,
  connections: Array.from({ length: connections }, (_, i) => ({
    id: `c${i}`,
    user: i % 2 ? `u${i}` : undefined,
    remoteAddress: '127.0.0.1',
    openedAt: i,
    subscriptions: [],
    bufferedBytes: i * 10,
    callsInFlight: 1,
    droppedVolatile: 0,
  })),
  channels: [],
  ...extra,
});

function call(
  collector: Collector,
  procedure: string,
  code: 'OK' | 'FORBIDDEN' | 'INTERNAL',
  durationMs: number,
  by = conn('c1', 'ada'),
) {
  const watch = collector.callStarted({ procedure, conn: by });
  watch.finished({ code, bytes: 10, durationMs });
}

describe('percentile', () => {
  it('is the nearest rank, null for nothing', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.99)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 0.5)).toBe(50);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile(hundred, 1)).toBe(100);
    expect(percentile([1, 2], 0.5)).toBe(1);
  });
});

describe('Collector', () => {
  it('counts calls, latencies and error codes per procedure, and makes failed calls events', () => {
    let now = 0;
    const collector = new Collector('n1', () => ++now);
    for (let ms = 1; ms <= 100; ms++) call(collector, 'echo', 'OK', ms);
    call(collector, 'save', 'FORBIDDEN', 3);
    call(collector, 'save', 'FORBIDDEN', 5);
    call(collector, 'save', 'INTERNAL', 9);
    const tick = collector.takeTick(snapshot(3), 1000);
    expect(tickSchema.parse(tick)).toEqual(tick);
    expect(tick.procedures).toEqual([
      { procedure: 'echo', calls: 100, errors: {}, p50: 50, p99: 99 },
      { procedure: 'save', calls: 3, errors: { FORBIDDEN: 2, INTERNAL: 1 }, p50: 5, p99: 9 },
    ]);
    expect(tick.events.map((e) => [e.kind, e.code, e.subject, e.user, e.conn, e.count])).toEqual([
      ['error', 'FORBIDDEN', 'save', 'ada', 'c1', 2],
      ['error', 'INTERNAL', 'save', 'ada', 'c1', 1],
    ]);
    expect(tick).toMatchObject({ node: 'n1', intervalMs: 1000, connections: 3, callsInFlight: 3 });
    // The next interval starts empty.
    const next = collector.takeTick(snapshot(3), 1000);
    expect(next).toMatchObject({ procedures: [], topics: [], events: [], eventsDropped: 0, opened: 0 });
  });

  it('counts a call in the interval it ends in', () => {
    const collector = new Collector('n1', () => 0);
    const watch = collector.callStarted({ procedure: 'slow', conn: conn('c1') });
    expect(collector.takeTick(snapshot(), 1000).procedures).toEqual([]);
    watch.finished({ code: 'OK', bytes: 1, durationMs: 1500 });
    expect(collector.takeTick(snapshot(), 1000).procedures).toEqual([
      { procedure: 'slow', calls: 1, errors: {}, p50: 1500, p99: 1500 },
    ]);
  });

  it('keeps at most maxSamples latencies, sampled uniformly beyond, and counts every call', () => {
    const limits = { ...DEFAULT_COLLECTOR_LIMITS, maxSamples: 10 };
    // random() = 0 puts every later sample in slot 0: the kept values show that it was sampled.
    const collector = new Collector(
      'n1',
      () => 0,
      limits,
      () => 0,
    );
    for (let ms = 1; ms <= 10; ms++) call(collector, 'echo', 'OK', ms);
    call(collector, 'echo', 'OK', 1000);
    const [echo] = collector.takeTick(snapshot(), 1000).procedures;
    // Kept: 1000 in place of 1, then 2…10; the median of those ten is 6.
    expect(echo).toEqual({ procedure: 'echo', calls: 11, errors: {}, p50: 6, p99: 1000 });
  });

  it('counts the repeats of an event in one entry, the latest time and connection kept', () => {
    let now = 0;
    const collector = new Collector('n1', () => now, { ...DEFAULT_COLLECTOR_LIMITS, maxEvents: 2 });
    for (const [user, at] of [
      ['ada', 1],
      ['bob', 2],
      ['cy', 3],
    ] as const) {
      now = at;
      call(collector, 'secret', 'FORBIDDEN', 1, conn(user, user));
    }
    now = 4;
    collector.connectionClosed(conn('d', 'dee'), { code: 4006, reason: 'bye' });
    now = 5;
    call(collector, 'other', 'FORBIDDEN', 1, conn('e'));
    call(collector, 'secret', 'FORBIDDEN', 1, conn('f', 'fay'));
    const tick = collector.takeTick(snapshot(), 1000);
    expect(tick.events).toEqual([
      {
        at: 5,
        node: 'n1',
        kind: 'error',
        code: 'FORBIDDEN',
        reason: 'secret answered FORBIDDEN',
        subject: 'secret',
        conn: 'f',
        user: 'fay',
        count: 4,
      },
      { at: 4, node: 'n1', kind: 'close', code: 4006, reason: 'bye', conn: 'd', user: 'dee', count: 1 },
    ]);
    // A third distinct event is over maxEvents: counted as dropped, not kept.
    expect(tick.eventsDropped).toBe(1);
    expect(collector.takeTick(snapshot(), 1000)).toMatchObject({ events: [], eventsDropped: 0 });
  });

  it('keeps maxEvents events per interval and counts the rest; ordinary closes are no event', () => {
    const collector = new Collector('n1', () => 0, { ...DEFAULT_COLLECTOR_LIMITS, maxEvents: 3 });
    for (const code of [1000, 1001, 1005, 1012]) collector.connectionClosed(conn('a'), { code, reason: '' });
    expect(collector.takeTick(snapshot(), 1000)).toMatchObject({ closed: 4, events: [], eventsDropped: 0 });
    collector.connectionClosed(conn('a', 'ada'), { code: 4006, reason: 'bye' });
    collector.refused({ code: 4001, reason: 'who?' });
    collector.slowConsumer(conn('b'), 9_000_000);
    collector.rateLimited(conn('c'), false);
    collector.rateLimited(conn('c'), true);
    collector.protocolError(conn('d'), true);
    const tick = collector.takeTick(snapshot(), 1000);
    expect(tick.events.map((e) => [e.kind, e.code, e.reason])).toEqual([
      ['close', 4006, 'bye'],
      ['refused', 4001, 'who?'],
      ['slow-consumer', 4009, '9000000 bytes unsent'],
    ]);
    expect(tick).toMatchObject({
      eventsDropped: 2,
      closed: 1,
      refused: 1,
      rateLimited: 2,
      protocolErrors: 1,
    });
  });

  it('counts bytes, connections opened, publishes and deliveries by topic, drops', () => {
    const collector = new Collector('n1', () => 0);
    collector.connectionOpened();
    collector.received(conn('a'), 100);
    collector.received(conn('a'), 20);
    collector.sent(conn('a'), 7);
    collector.published({ topic: 'room' });
    collector.delivered({ topic: 'room', channel: 'room:{"name":"a"}', kind: 'message', recipients: 3 });
    collector.delivered({ topic: 'room', channel: 'room:{"name":"a"}', kind: 'join', recipients: 3 });
    collector.volatileDropped();
    expect(collector.takeTick(snapshot(), 1000)).toMatchObject({
      opened: 1,
      bytesIn: 120,
      bytesOut: 7,
      volatileDropped: 1,
      topics: [{ topic: 'room', published: 1, delivered: 3 }],
    });
  });

  it('reports the broker status it was told, the one given, or none', () => {
    const collector = new Collector('n1', () => 0);
    expect(collector.takeTick(snapshot(), 1000).broker).toBeNull();
    expect(collector.takeTick(snapshot(0, { broker: 'up' }), 1000).broker).toBe('up');
    collector.brokerStatus('down', new Error('ECONNREFUSED'));
    const tick = collector.takeTick(snapshot(0, { broker: 'up' }), 1000);
    expect(tick.broker).toBe('down');
    expect(tick.events).toMatchObject([
      { kind: 'broker', code: 'down', reason: 'broker down: ECONNREFUSED' },
    ]);
    expect(collector.takeTick(snapshot(), 1000, 'up').broker).toBe('up');
  });

  it('lists connections newest first and channels most subscribed first, at most maxRows, with the last interval’s deliveries', () => {
    const collector = new Collector('n1', () => 0, {
      ...DEFAULT_COLLECTOR_LIMITS,
      maxRows: 2,
      maxChannels: 2,
    });
    const channels = [
      { key: 'a', topic: 't', subscribers: 1, presence: 0 },
      { key: 'b', topic: 't', subscribers: 5, presence: 2 },
      { key: 'c', topic: 't', subscribers: 3, presence: 0 },
    ];
    for (const key of ['b', 'c', 'a'])
      collector.delivered({ topic: 't', channel: key, kind: 'message', recipients: 2 });
    const snap = snapshot(3, { channels });
    collector.takeTick(snap, 1000);
    const state = collector.state(snap);
    expect(state.connections.map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(state.connections[1]).toEqual({
      id: 'c1',
      user: 'u1',
      remoteAddress: '127.0.0.1',
      openedAt: 1,
      subscriptions: [],
      bufferedBytes: 10,
      callsInFlight: 1,
    });
    expect(state).toMatchObject({ connectionCount: 3, channelCount: 3 });
    // Channel 'a' was past maxChannels: not counted.
    expect(state.channels).toEqual([
      { key: 'b', topic: 't', subscribers: 5, presence: 2, delivered: 2 },
      { key: 'c', topic: 't', subscribers: 3, presence: 0, delivered: 2 },
    ]);
  });
});
