/**
 * What the page draws, computed from the ticks of every node (pure functions: the unit tests
 * run them in Node). Ticks are grouped by interval (their time rounded to `intervalMs`); within
 * an interval counts are summed over nodes. Percentiles of different nodes cannot be merged, so
 * a latency is the highest of the nodes' (the worst node's).
 */
import { eventKey, type InspectorEvent, type Tick } from '../src/contract.js';

/** Columns for uPlot: x (seconds), then one array per series. */
export interface Series {
  labels: string[];
  data: [number[], ...(number | null)[][]];
}

/** Ticks grouped by interval, oldest first. */
export function buckets(ticks: readonly Tick[], intervalMs: number): { at: number; ticks: Tick[] }[] {
  const byTime = new Map<number, Tick[]>();
  for (const tick of ticks) {
    const at = Math.round(tick.at / intervalMs) * intervalMs;
    const group = byTime.get(at);
    if (group) group.push(tick);
    else byTime.set(at, [tick]);
  }
  return [...byTime].sort(([a], [b]) => a - b).map(([at, group]) => ({ at, ticks: group }));
}

/** One series per name that `pick` gives values for, summed (or maxed) over nodes per interval. */
function series(
  groups: { at: number; ticks: Tick[] }[],
  pick: (tick: Tick) => Iterable<[string, number | null]>,
  combine: 'sum' | 'max',
  perSecond: (tick: Tick) => number,
): Series {
  const columns = new Map<string, (number | null)[]>();
  groups.forEach(({ ticks }, index) => {
    for (const tick of ticks) {
      for (const [name, value] of pick(tick)) {
        if (value === null) continue;
        let column = columns.get(name);
        if (!column) {
          column = new Array<number | null>(groups.length).fill(null);
          columns.set(name, column);
        }
        const scaled = combine === 'sum' ? value * perSecond(tick) : value;
        const previous = column[index] ?? null;
        column[index] =
          previous === null ? scaled : combine === 'sum' ? previous + scaled : Math.max(previous, scaled);
      }
    }
  });
  const names = [...columns.keys()].sort();
  return {
    labels: names,
    data: [groups.map(({ at }) => at / 1000), ...names.map((name) => columns.get(name) as (number | null)[])],
  };
}

const asIs = () => 1;
const rate = (tick: Tick) => 1000 / tick.intervalMs;

/** Open connections per node and in all. */
export function connectionSeries(groups: { at: number; ticks: Tick[] }[]): Series {
  return series(
    groups,
    (tick) => [
      ['all', tick.connections],
      [`node ${tick.node}`, tick.connections],
    ],
    'sum',
    asIs,
  );
}

/** Calls per second by procedure. */
export function callRateSeries(groups: { at: number; ticks: Tick[] }[]): Series {
  return series(groups, (tick) => tick.procedures.map((p) => [p.procedure, p.calls]), 'sum', rate);
}

/** p50 and p99 latency (ms) by procedure, the worst node's. */
export function latencySeries(groups: { at: number; ticks: Tick[] }[]): Series {
  return series(
    groups,
    (tick) =>
      tick.procedures.flatMap((p): [string, number | null][] => [
        [`${p.procedure} p50`, p.p50],
        [`${p.procedure} p99`, p.p99],
      ]),
    'max',
    asIs,
  );
}

/** Failed calls per second by error code. */
export function errorSeries(groups: { at: number; ticks: Tick[] }[]): Series {
  return series(groups, (tick) => tick.procedures.flatMap((p) => Object.entries(p.errors)), 'sum', rate);
}

/** Messages delivered per second by topic. */
export function topicRateSeries(groups: { at: number; ticks: Tick[] }[]): Series {
  return series(groups, (tick) => tick.topics.map((t) => [t.topic, t.delivered]), 'sum', rate);
}

/** Per procedure over the last `window` intervals: calls, rate, errors by code, the last p50/p99. */
export interface ProcedureSummary {
  procedure: string;
  calls: number;
  perSecond: number;
  errors: Record<string, number>;
  p50: number | null;
  p99: number | null;
}

export function procedureSummaries(
  groups: { at: number; ticks: Tick[] }[],
  window: number,
): ProcedureSummary[] {
  const recent = groups.slice(-window);
  const seconds = recent.reduce((sum, { ticks }) => sum + (ticks[0]?.intervalMs ?? 1000) / 1000, 0) || 1;
  const rows = new Map<string, ProcedureSummary>();
  for (const { ticks } of recent) {
    for (const tick of ticks) {
      for (const p of tick.procedures) {
        const row = rows.get(p.procedure) ?? {
          procedure: p.procedure,
          calls: 0,
          perSecond: 0,
          errors: {},
          p50: null,
          p99: null,
        };
        row.calls += p.calls;
        for (const [code, n] of Object.entries(p.errors)) row.errors[code] = (row.errors[code] ?? 0) + n;
        if (p.p50 !== null) row.p50 = p.p50;
        if (p.p99 !== null) row.p99 = p.p99;
        rows.set(p.procedure, row);
      }
    }
  }
  return [...rows.values()]
    .map((row) => ({ ...row, perSecond: row.calls / seconds }))
    .sort((a, b) => a.procedure.localeCompare(b.procedure));
}

/**
 * The events of all ticks, the same event of one node merged into one row (counts summed, the
 * latest time and connection kept), newest first, at most `limit` rows: a flood of one failure
 * stays one row and cannot push a rare close out of the list.
 */
export function recentEvents(ticks: readonly Tick[], limit: number): InspectorEvent[] {
  const rows = new Map<string, InspectorEvent>();
  for (const tick of ticks)
    for (const event of tick.events) {
      const key = `${event.node} ${eventKey(event)}`;
      const seen = rows.get(key);
      if (seen === undefined) rows.set(key, event);
      else {
        const latest = seen.at > event.at ? seen : event;
        rows.set(key, { ...latest, count: seen.count + event.count });
      }
    }
  return [...rows.values()].sort((a, b) => b.at - a.at).slice(0, limit);
}

/** The latest tick of each node, by node. */
export function latestByNode(ticks: readonly Tick[]): Map<string, Tick> {
  const latest = new Map<string, Tick>();
  for (const tick of ticks) {
    const seen = latest.get(tick.node);
    if (!seen || seen.at <= tick.at) latest.set(tick.node, tick);
  }
  return latest;
}
