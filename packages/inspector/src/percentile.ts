/**
 * The q-quantile (0 < q ≤ 1) of ascending `sorted` by the nearest-rank method: the smallest
 * value with at least q of the values at or below it. Null for no values.
 */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? null;
}
