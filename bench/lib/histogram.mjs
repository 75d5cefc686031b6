/**
 * A latency histogram with buckets 1% wide on a log scale, from 1 µs to about 20 minutes, so
 * that millions of deliveries cost a fixed 8 kB, and the histograms of several load processes
 * can be added up before a percentile is read. A percentile is exact to within half a bucket
 * (±0.5%).
 */

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 2100;

export class Histogram {
  counts = new Uint32Array(BUCKETS);
  count = 0;

  /**
   * Records one value in µs; values below 1 µs count as 1 µs (clock skew between processes can
   * make a delivery look a few µs early), values beyond the last bucket go in the last.
   * @param {number} us
   */
  add(us) {
    const i = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(us) / LOG_GROWTH));
    this.counts[i]++;
    this.count++;
  }

  /** @param {Histogram} other */
  merge(other) {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    return this;
  }

  /**
   * The p-th percentile (0–100), nearest rank, as the geometric middle of its bucket; NaN when empty.
   * @param {number} p
   */
  percentile(p) {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return GROWTH ** (i + 0.5);
    }
    return Number.NaN;
  }

  /** Sparse form for a JSON line: `[bucket, count]` pairs. */
  toJSON() {
    /** @type {Array<[number, number]>} */
    const pairs = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) pairs.push([i, this.counts[i]]);
    return pairs;
  }

  /** @param {Array<[number, number]>} pairs what `toJSON` wrote */
  static fromJSON(pairs) {
    const h = new Histogram();
    for (const [i, n] of pairs) {
      h.counts[i] += n;
      h.count += n;
    }
    return h;
  }
}
