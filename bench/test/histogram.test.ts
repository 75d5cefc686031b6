/**
 * The latency histogram: percentiles within its stated ±0.5% of the exact nearest-rank value,
 * histograms of several processes added up give what one would have seen, and the JSON form
 * survives the trip through a JSON line.
 */
import { describe, expect, it } from 'vitest';
import { Histogram } from '../lib/histogram.mjs';
import { percentile } from '../lib/stats.mjs';

/** Deterministic spread of values from 1 µs to about 10 s. */
const values = Array.from({ length: 10_000 }, (_, i) => 10 ** (((i * 7919) % 10_000) / 1429));

describe('Histogram', () => {
  it('reads percentiles within ±0.5% of the exact values', () => {
    const h = new Histogram();
    for (const v of values) h.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 50, 90, 99, 99.9, 100]) {
      const exact = percentile(sorted, p);
      expect(Math.abs(h.percentile(p) / exact - 1), `p${p}`).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  it('adds up histograms as if one had seen every value', () => {
    const all = new Histogram();
    const parts = [new Histogram(), new Histogram(), new Histogram()];
    values.forEach((v, i) => {
      all.add(v);
      parts[i % 3].add(v);
    });
    const merged = parts.reduce((a, b) => a.merge(b), new Histogram());
    expect(merged.count).toBe(values.length);
    expect(merged.counts).toEqual(all.counts);
  });

  it('round-trips through JSON', () => {
    const h = new Histogram();
    for (const v of values.slice(0, 500)) h.add(v);
    const back = Histogram.fromJSON(JSON.parse(JSON.stringify(h)));
    expect(back.counts).toEqual(h.counts);
    expect(back.count).toBe(500);
  });

  it('counts values at or below 1 µs (clock skew between processes) in the first bucket, and huge ones in the last', () => {
    const h = new Histogram();
    h.add(-3);
    h.add(0.2);
    h.add(1e12);
    expect(h.count).toBe(3);
    expect(h.percentile(50)).toBeCloseTo(1, 1);
    expect(h.percentile(100)).toBeGreaterThan(1e9);
  });

  it('has no percentile when empty', () => {
    expect(new Histogram().percentile(99)).toBeNaN();
  });
});
