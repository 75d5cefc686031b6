/**
 * What every workload does, in full and in quick mode, with its hard time limit. One table so
 * that every peer runs the same counts; quick mode only lowers them.
 */

/** Peers in the order they appear in tables; `ws` is the baseline every ratio is taken against. */
export const PEERS = ['ws', 'socketio', 'trpc', 'sockkit'];

/** The baseline peer. */
export const BASELINE = 'ws';

/**
 * Workloads. `w6` (cross-node fan-out through Redis) needs three server processes and Redis; it
 * has its own runner, `w6/run.mjs` (see w6/README.md).
 * @type {Record<string, { title: string, pending?: string, peers?: string[] }>}
 */
export const WORKLOADS = {
  w1: { title: 'rpc-latency' },
  w2: { title: 'rpc-throughput' },
  w3: { title: 'fan-out' },
  w3b: { title: 'fan-out bursty' },
  w3p: { title: 'fan-out paced' },
  w4: { title: 'idle-memory' },
  w5: { title: 'connect-rate' },
  w5f: { title: 'connect to first answer' },
  w6: { title: 'cross-node fan-out', pending: 'runs with its own runner: node bench/w6/run.mjs' },
  w7: { title: 'stream', peers: ['ws', 'trpc', 'sockkit'] },
};

/** Whether `peer` takes part in `workload` (Socket.IO has no streams to compare in W7). */
export function runsOn(/** @type {string} */ workload, /** @type {string} */ peer) {
  const only = /** @type {{ peers?: string[] }} */ (WORKLOADS[workload])?.peers;
  return only === undefined || only.includes(peer);
}

/** Workloads that run today. */
export const RUNNABLE = Object.keys(WORKLOADS).filter((w) => !WORKLOADS[w].pending);

/** Counts per workload. */
export const FULL = {
  w1: { warmup: 10_000, calls: 5_000, cold: 5_000 },
  w2: { warmup: 10_000, calls: 200_000, inFlight: 256 },
  w3: { subscribers: 1_000, messages: 1_000 },
  w3b: { subscribers: 1_000, messages: 512, burst: 16 },
  w3p: { subscribers: 1_000, messages: 200, intervalMs: 20 },
  w4: { connections: 5_000, topics: 100, concurrency: 100 },
  w5: { connections: 2_000, concurrency: 100 },
  w7: { warmup: 10_000, chunks: 100_000, pausedRead: 1_000, pauseMs: 2_000 },
  w5f: { connections: 2_000, concurrency: 100 },
};

/** Quick mode: a smoke run that checks correctness only. */
export const QUICK = {
  w1: { warmup: 200, calls: 200, cold: 100 },
  w2: { warmup: 500, calls: 5_000, inFlight: 256 },
  w3: { subscribers: 50, messages: 100 },
  w3b: { subscribers: 50, messages: 96, burst: 16 },
  w3p: { subscribers: 50, messages: 40, intervalMs: 10 },
  w4: { connections: 300, topics: 10, concurrency: 100 },
  w5: { connections: 200, concurrency: 100 },
  w7: { warmup: 1_000, chunks: 10_000, pausedRead: 1_000, pauseMs: 500 },
  w5f: { connections: 200, concurrency: 100 },
};

/** Hard limit for one load process, in ms; the orchestrator kills both processes past it. */
export const TIMEOUT_MS = {
  full: {
    w1: 60_000,
    w2: 90_000,
    w3: 120_000,
    w3b: 120_000,
    w3p: 120_000,
    w4: 120_000,
    w5: 60_000,
    w5f: 60_000,
    w7: 90_000,
  },
  quick: {
    w1: 20_000,
    w2: 20_000,
    w3: 30_000,
    w3b: 30_000,
    w3p: 30_000,
    w4: 30_000,
    w5: 20_000,
    w5f: 20_000,
    w7: 30_000,
  },
};

/** Repetitions; the tables show the median. */
export const REPS = { full: 3, quick: 1 };

/**
 * The targets, as ratios sockkit/peer of one run's medians.
 * `higher`: the metric is better when higher (rates); otherwise lower is better (time, memory).
 */
export const TARGETS = [
  { workload: 'w1', metric: 'p50Us', vs: 'ws', max: 1.2 },
  { workload: 'w1', metric: 'p50Us', vs: 'socketio', max: 1.0 },
  { workload: 'w1', metric: 'p99Us', vs: 'ws', max: 1.5 },
  { workload: 'w1', metric: 'p99Us', vs: 'socketio', max: 1.0 },
  // The same p99 target held to the first 5,000 calls, which is what W1's p99 measured before
  // 2026-11-28 (bench/README.md, "W1: warm and cold"): kept so that the cold tail stays in view.
  { workload: 'w1', metric: 'coldP99Us', vs: 'ws', max: 1.5 },
  { workload: 'w2', metric: 'callsPerSec', vs: 'ws', min: 1.0 },
  { workload: 'w2', metric: 'callsPerSec', vs: 'socketio', min: 1.5 },
  { workload: 'w2', metric: 'callsPerSec', vs: 'trpc', min: 3.0 },
  { workload: 'w3', metric: 'deliveriesPerSec', vs: 'ws', min: 1.0 },
  { workload: 'w3', metric: 'deliveriesPerSec', vs: 'socketio', min: 1.0 },
  { workload: 'w4', metric: 'heapPerConnBytes', vs: 'ws', max: 1.5 },
  { workload: 'w4', metric: 'heapPerConnBytes', vs: 'socketio', max: 0.6 },
  { workload: 'w5', metric: 'connectsPerSec', vs: 'ws', min: 0.8 },
  { workload: 'w7', metric: 'chunksPerSec', vs: 'ws', min: 1.0 },
  { workload: 'w7', metric: 'chunksPerSec', vs: 'trpc', min: 2.0 },
  { workload: 'w5f', metric: 'connectsPerSec', vs: 'ws', min: 0.9 },
];

/** Metrics shown in the table, per workload, with their unit and direction. */
export const METRICS = [
  { workload: 'w1', metric: 'callsPerSec', label: 'W1 rpc-latency calls/s', higher: true },
  { workload: 'w1', metric: 'p50Us', label: 'W1 p50 µs', higher: false },
  { workload: 'w1', metric: 'p99Us', label: 'W1 p99 µs', higher: false },
  { workload: 'w1', metric: 'coldP99Us', label: 'W1 p99 µs, first 5,000 calls (cold)', higher: false },
  { workload: 'w2', metric: 'callsPerSec', label: 'W2 rpc-throughput calls/s', higher: true },
  { workload: 'w3', metric: 'deliveriesPerSec', label: 'W3 fan-out deliveries/s', higher: true },
  { workload: 'w3', metric: 'deliveryP99Us', label: 'W3 delivery p99 µs', higher: false },
  { workload: 'w3b', metric: 'deliveriesPerSec', label: 'W3b bursty fan-out deliveries/s', higher: true },
  { workload: 'w3b', metric: 'deliveryP99Us', label: 'W3b delivery p99 µs', higher: false },
  { workload: 'w3p', metric: 'deliveryP50Us', label: 'W3p paced fan-out delivery p50 µs', higher: false },
  { workload: 'w3p', metric: 'deliveryP99Us', label: 'W3p paced fan-out delivery p99 µs', higher: false },
  { workload: 'w4', metric: 'heapPerConnBytes', label: 'W4 idle heap/conn B', higher: false },
  { workload: 'w4', metric: 'rssPerConnBytes', label: 'W4 idle RSS/conn B', higher: false },
  { workload: 'w5', metric: 'connectsPerSec', label: 'W5 connects/s, ready to call', higher: true },
  { workload: 'w5f', metric: 'connectsPerSec', label: 'W5 connects/s, first call answered', higher: true },
  { workload: 'w7', metric: 'chunksPerSec', label: 'W7 stream chunks/s', higher: true },
  { workload: 'w7', metric: 'clientCpuUsPerChunk', label: 'W7 client CPU µs/chunk', higher: false },
  { workload: 'w7', metric: 'pausedRssGrowthBytes', label: 'W7 server RSS growth, paused B', higher: false },
];

/** The fan-out topic every peer publishes to. */
export const FANOUT_TOPIC = 'bench';
