/**
 * The call figures of `@sockkit/server/metrics` (call-metrics.ts), fed call ends directly
 * (durations given, no clock): the histogram reads through prom-client's registry as its own
 * histograms do, and following a call allocates nothing.
 */
import { describe, expect, it } from 'vitest';
import { createSockkitMetrics } from '../src/metrics.js';
import type { CallEvent, CallWatch, ObservedConnection } from '../src/observer.js';

const conn: ObservedConnection = {
  id: 'c1',
  user: undefined,
  openedAt: 0,
  request: { remoteAddress: undefined },
};
const arrived = (procedure: string): CallEvent => ({
  conn,
  id: 1,
  procedure,
  bytes: 10,
  traceparent: undefined,
});

/** The scrape as `name{labels}` → value. */
async function scrape(metrics: ReturnType<typeof createSockkitMetrics>): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await metrics.registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('call metrics', () => {
  it('counts durations into cumulative buckets, with sum and count, by procedure', async () => {
    const metrics = createSockkitMetrics({ durationBuckets: [0.001, 0.01, 0.1] });
    const start = (p: string) => metrics.observer.callStarted?.(arrived(p)) as CallWatch;
    const ends: [string, 'OK' | 'CONFLICT', number][] = [
      ['echo', 'OK', 0.5],
      ['echo', 'OK', 1],
      ['echo', 'CONFLICT', 5],
      ['echo', 'OK', 250],
      ['fail', 'CONFLICT', 20],
    ];
    const watches = ends.map(([p]) => start(p));
    const open = start('echo');
    expect((await scrape(metrics)).get('sockkit_calls_in_flight{procedure="echo"}')).toBe(5);
    for (const [i, [, code, durationMs]] of ends.entries())
      watches[i]?.finished({ code, bytes: 0, durationMs });

    const m = await scrape(metrics);
    const echo = (le: string) => m.get(`sockkit_call_duration_seconds_bucket{le="${le}",procedure="echo"}`);
    // A duration equal to a bound counts in that bound's bucket (`le`: less or equal).
    expect([echo('0.001'), echo('0.01'), echo('0.1'), echo('+Inf')]).toEqual([2, 3, 3, 4]);
    expect(m.get('sockkit_call_duration_seconds_count{procedure="echo"}')).toBe(4);
    expect(m.get('sockkit_call_duration_seconds_sum{procedure="echo"}')).toBeCloseTo(0.2565, 10);
    expect(m.get('sockkit_call_duration_seconds_bucket{le="0.01",procedure="fail"}')).toBe(0);
    expect(m.get('sockkit_call_duration_seconds_bucket{le="0.1",procedure="fail"}')).toBe(1);
    expect(m.get('sockkit_calls_total{procedure="echo",code="OK"}')).toBe(3);
    expect(m.get('sockkit_calls_total{procedure="echo",code="CONFLICT"}')).toBe(1);
    expect(m.get('sockkit_calls_total{procedure="fail",code="CONFLICT"}')).toBe(1);
    expect(m.get('sockkit_calls_in_flight{procedure="echo"}')).toBe(1);
    open.finished({ code: 'OK', bytes: 0, durationMs: 0 });
    expect((await scrape(metrics)).get('sockkit_calls_in_flight{procedure="echo"}')).toBe(0);

    // The JSON form and a reset go through the registry as for prom-client's own metrics.
    const json = await metrics.registry.getMetricsAsJSON();
    expect(json.find((j) => j.name === 'sockkit_call_duration_seconds')).toMatchObject({ type: 'histogram' });
    metrics.registry.resetMetrics();
    expect((await scrape(metrics)).get('sockkit_call_duration_seconds_count{procedure="echo"}') ?? 0).toBe(0);
  });

  it('follows every call to a procedure with one watch: nothing is allocated per call', () => {
    const { observer } = createSockkitMetrics();
    const first = observer.callStarted?.(arrived('echo'));
    expect(observer.callStarted?.(arrived('echo'))).toBe(first);
    expect(observer.callStarted?.(arrived('other'))).not.toBe(first);
  });
});
