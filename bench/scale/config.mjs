/**
 * What the scale run (`npm run bench -- --scale`) measures, at which sizes, within what time.
 * Each point is one run (server and load in fresh processes); the whole run has a hard budget so
 * that it ends by itself on a busy 2-core machine.
 */

/** Peers on the scale curves (tRPC is left out: at 10,000 subscribers it alone would take minutes). */
export const SCALE_PEERS = ['ws', 'socketio', 'sockkit'];

/** Scale workloads, in the order they run. */
export const SCALE_WORKLOADS = ['w2', 'w3', 'w4'];

/**
 * @typedef {object} ScaleSettings
 * @property {{ sizes: number[], warmup: number, calls: number, inFlight: number }} w2 connections;
 *   `inFlight` calls in flight in all, spread evenly over the connections
 * @property {{ sizes: number[], deliveries: number, minMessages: number, perWorker: number }} w3
 *   subscribers; each size gets about `deliveries` deliveries (messages = deliveries / size)
 * @property {{ sizes: number[], topics: number, perWorker: number }} w4 idle connections
 * @property {{ w2: number, w3: number, w4: number }} timeoutMs hard limit of one point
 * @property {number} budgetMs no point starts past this, and none runs past it plus a minute
 */

/** @type {{ full: ScaleSettings, quick: ScaleSettings }} */
export const SCALE = {
  full: {
    w2: { sizes: [1, 10, 100], warmup: 5_000, calls: 100_000, inFlight: 256 },
    w3: { sizes: [100, 1_000, 10_000], deliveries: 500_000, minMessages: 50, perWorker: 5_000 },
    w4: { sizes: [1_000, 10_000, 50_000], topics: 100, perWorker: 10_000 },
    timeoutMs: { w2: 60_000, w3: 120_000, w4: 180_000 },
    budgetMs: 500_000,
  },
  quick: {
    w2: { sizes: [1, 4], warmup: 100, calls: 1_000, inFlight: 16 },
    w3: { sizes: [10, 20], deliveries: 1_000, minMessages: 10, perWorker: 10 },
    w4: { sizes: [20, 40], topics: 5, perWorker: 25 },
    timeoutMs: { w2: 20_000, w3: 30_000, w4: 30_000 },
    // About a minute on a quiet machine; the budget leaves room for a busy one.
    budgetMs: 240_000,
  },
};

/**
 * Before each point of a full run, wait up to QUIET_POINT_MS for other work to use under 15% of
 * the CPU, at most QUIET_BUDGET_MS in all (part of the time budget), and record what it used.
 */
export const QUIET_POINT_MS = 5_000;
export const QUIET_BUDGET_MS = 45_000;

/** Open files a process needs beyond one per connection (stdio, the listener, control, V8). */
export const FD_HEADROOM = 500;

/**
 * W4's sizes on a machine whose processes may open at most `hardLimit` files: a size the server
 * process cannot hold is kept (reported as skipped, with the reason) and the largest round size
 * that fits is added in its place, so the curve still has its third point.
 * @param {number[]} sizes
 * @param {number} hardLimit
 * @returns {Array<{ size: number, fits: boolean }>}
 */
export function sizesWithin(sizes, hardLimit) {
  const fits = (/** @type {number} */ n) => n + FD_HEADROOM <= hardLimit;
  const out = sizes.map((size) => ({ size, fits: fits(size) }));
  const largest = Math.floor((hardLimit - FD_HEADROOM) / 1_000) * 1_000;
  if (out.some((s) => !s.fits) && largest > Math.max(...sizes.filter(fits), 0))
    out.splice(
      out.findIndex((s) => !s.fits),
      0,
      { size: largest, fits: true },
    );
  return out;
}
