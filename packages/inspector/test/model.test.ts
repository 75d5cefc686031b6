/**
 * The page's figures from ticks of several nodes (web/model.ts): counts add up over nodes per
 * interval, rates are per second whatever the interval, latencies are the worst node's.
 */
import { describe, expect, it } from 'vitest';
import type { Tick } from '../src/contract.js';
import {
  buckets,
  callRateSeries,
  connectionSeries,
  errorSeries,
  latencySeries,
  latestByNode,
  procedureSummaries,
  recentEvents,
  topicRateSeries,
} from '../web/model.js';

function tick(node: string, at: number, extra: Partial<Tick> = {}): Tick {
  return {
    node,
    at,
    intervalMs: 500,
    connections: 0,
    opened: 0,
    closed: 0,
    refused: 0,
    bytesIn: 0,
    bytesOut: 0,
    callsInFlight: 0,
    volatileDropped: 0,
    rateLimited: 0,
    protocolErrors: 0,
    broker: null,
    procedures: [],
    topics: [],
    events: [],
    eventsDropped: 0,
    ...extra,
  };
}

const echo = (
  calls: number,
  p50: number | null,
  p99: number | null,
  errors: Record<string, number> = {},
) => ({
  procedure: 'echo',
  calls,
  errors,
  p50,
  p99,
});

describe('the page model', () => {
  // Node b's ticks come 40 ms after a's: the same interval.
  const ticks = [
    tick('a', 1000, {
      connections: 3,
      procedures: [echo(10, 1, 5)],
      topics: [{ topic: 'room', published: 1, delivered: 4 }],
    }),
    tick('b', 1040, { connections: 2, procedures: [echo(5, 2, 9, { FORBIDDEN: 2 })] }),
    tick('a', 1500, { connections: 4, procedures: [echo(0, null, null)] }),
  ];
  const groups = buckets(ticks, 500);

  it('groups ticks by interval', () => {
    expect(groups.map((g) => [g.at, g.ticks.map((t) => t.node)])).toEqual([
      [1000, ['a', 'b']],
      [1500, ['a']],
    ]);
  });

  it('sums connections over nodes and keeps each node', () => {
    expect(connectionSeries(groups)).toEqual({
      labels: ['all', 'node a', 'node b'],
      data: [
        [1, 1.5],
        [5, 4],
        [3, 4],
        [2, null],
      ],
    });
  });

  it('gives rates per second, and the worst node’s latency', () => {
    expect(callRateSeries(groups).data).toEqual([
      [1, 1.5],
      [30, 0],
    ]);
    expect(errorSeries(groups)).toEqual({
      labels: ['FORBIDDEN'],
      data: [
        [1, 1.5],
        [4, null],
      ],
    });
    expect(topicRateSeries(groups)).toEqual({
      labels: ['room'],
      data: [
        [1, 1.5],
        [8, null],
      ],
    });
    expect(latencySeries(groups)).toEqual({
      labels: ['echo p50', 'echo p99'],
      data: [
        [1, 1.5],
        [2, null],
        [9, null],
      ],
    });
  });

  it('summarises procedures over a window', () => {
    expect(procedureSummaries(groups, 60)).toEqual([
      { procedure: 'echo', calls: 15, perSecond: 15, errors: { FORBIDDEN: 2 }, p50: 2, p99: 9 },
    ]);
    expect(procedureSummaries(groups, 1)).toEqual([
      { procedure: 'echo', calls: 0, perSecond: 0, errors: {}, p50: null, p99: null },
    ]);
  });

  it('merges the repeats of one event of one node into one row, so a flood hides no rare event', () => {
    const forbidden = (at: number, node: string, conn: string, count: number) => ({
      at,
      node,
      kind: 'error' as const,
      code: 'FORBIDDEN',
      reason: 'secret answered FORBIDDEN',
      subject: 'secret',
      conn,
      count,
    });
    const close = { at: 5, node: 'a', kind: 'close' as const, code: 4006, reason: 'bye', count: 1 };
    const flood = Array.from({ length: 300 }, (_, i) =>
      tick('a', 10 + i, { events: [forbidden(10 + i, 'a', `c${i}`, 2)] }),
    );
    const rows = recentEvents(
      [tick('a', 5, { events: [close] }), ...flood, tick('b', 7, { events: [forbidden(7, 'b', 'x', 3)] })],
      2,
    );
    expect(rows).toEqual([{ ...forbidden(309, 'a', 'c299', 600) }, { ...forbidden(7, 'b', 'x', 3) }]);
    expect(recentEvents([tick('a', 5, { events: [close] }), ...flood], 200)).toEqual([
      forbidden(309, 'a', 'c299', 600),
      close,
    ]);
  });

  it('lists events newest first and the latest tick of each node', () => {
    const event = (at: number) => ({
      at,
      node: 'a',
      kind: 'close' as const,
      code: 4006,
      reason: String(at),
      count: 1,
    });
    const withEvents = [tick('a', 1, { events: [event(1), event(3)] }), tick('b', 2, { events: [event(2)] })];
    expect(recentEvents(withEvents, 2).map((e) => e.at)).toEqual([3, 2]);
    expect([...latestByNode(ticks)].map(([node, t]) => [node, t.at])).toEqual([
      ['a', 1500],
      ['b', 1040],
    ]);
  });
});
