/**
 * One point of a scale curve: a peer's server in a fresh process (pinned to CPU 0 when pinning,
 * its open-file limit raised to the point's size), load workers sharing the connections (pinned
 * to CPU 1), the measurement, and every process stopped by its pid at the end or at the point's
 * time limit.
 */
import { fileURLToPath } from 'node:url';
import { FANOUT_TOPIC } from '../lib/config.mjs';
import { control } from '../lib/control.mjs';
import { Histogram } from '../lib/histogram.mjs';
import { wallMicros } from '../lib/payloads.mjs';
import { serverScript } from '../lib/peer.mjs';
import { runOne, startChild } from '../lib/runner.mjs';
import { FD_HEADROOM } from './config.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/**
 * @typedef {object} PointResult
 * @property {string} workload
 * @property {string} peer
 * @property {number} size
 * @property {boolean} ok
 * @property {Record<string, number>} [metrics]
 * @property {Record<string, number>} [checks]
 * @property {string} [error]
 * @property {string} [skipped] why the point did not run
 * @property {number} [workers] load processes
 * @property {number} [otherCpuBefore] share of the CPU other work used in the second before (0–1)
 * @property {number} ms
 */

/**
 * @typedef {object} PointOptions
 * @property {string} peer
 * @property {number} size
 * @property {boolean} pin
 * @property {number} timeoutMs
 * @property {number} fdHardLimit
 */

/**
 * `count` split into `parts` shares that differ by at most one.
 * @param {number} count
 * @param {number} parts
 */
export function shares(count, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(count / parts) + (i < count % parts ? 1 : 0));
}

/**
 * A source address per load worker, fresh for every point, so that ports a previous point left
 * in TIME_WAIT are never in the way: 127.0.1.1, 127.0.1.2, … (all of 127/8 is loopback on Linux).
 */
let nextAddress = 0;
function freshAddress() {
  const i = nextAddress++;
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/**
 * Starts the peer's server and `workers` load workers, runs `measure`, stops them all.
 * @param {PointOptions & { workload: string, jobs: Array<Record<string, unknown>> }} point
 * @param {(ctx: { control: (path: string) => Promise<Record<string, number>>, workers: Array<ReturnType<typeof startChild>>, startWorkers: () => Promise<void> }) => Promise<{ metrics: Record<string, number>, checks: Record<string, number>, ok: boolean }>} measure
 * @returns {Promise<PointResult>}
 */
async function withProcesses(point, measure) {
  const { peer, size, pin, timeoutMs, fdHardLimit, workload, jobs } = point;
  const started = performance.now();
  const limit = (/** @type {number} */ n) => Math.min(n + FD_HEADROOM, fdHardLimit);
  const server = startChild(['--expose-gc', serverScript(peer)], {
    cpu: pin ? 0 : undefined,
    fdLimit: limit(size),
  });
  /** @type {Array<ReturnType<typeof startChild>>} */
  const workers = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`point timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  const body = async () => {
    // Bounded by the point's own deadline, not a tighter one of its own: on a loaded CI machine
    // (load average 24 on 2 cores) a server once took over 15 s to start.
    const ready = await server.waitFor('ready', timeoutMs);
    const base = String(ready.control);
    const startWorkers = async () => {
      for (const job of jobs) {
        const deadlineMs = timeoutMs + 5_000;
        workers.push(
          startChild([WORKER, peer, JSON.stringify({ ...job, url: ready.url, deadlineMs })], {
            cpu: pin ? 1 : undefined,
            fdLimit: limit(Number(job.count)),
          }),
        );
      }
      await Promise.all(workers.map((w) => w.waitFor('ready', timeoutMs)));
    };
    return measure({ control: (path) => control(base, path), workers, startWorkers });
  };
  try {
    const result = await Promise.race([body(), deadline]);
    return { workload, peer, size, workers: jobs.length, ...result, ms: performance.now() - started };
  } catch (error) {
    const detail = [server.stderr(), ...workers.map((w) => w.stderr())].filter(Boolean).join('\n');
    return {
      workload,
      peer,
      size,
      ok: false,
      error: `${error instanceof Error ? error.message : String(error)}${detail ? `\n${detail.slice(-4000)}` : ''}`,
      ms: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
    // Workers first: they exit at once and the kernel closes their sockets, so the server has
    // nothing left to close gracefully (ws's server would wait for every client to go).
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
  }
}

/**
 * W3 at `size` subscribers, spread over workers of at most `perWorker` each: deliveries/s from
 * the publish request to the last delivery anywhere, and delivery latency from each message's
 * publish stamp (histograms of all workers added up).
 * @param {PointOptions & { messages: number, perWorker: number }} point
 * @returns {Promise<PointResult>}
 */
export function fanoutPoint(point) {
  const parts = Math.ceil(point.size / point.perWorker);
  const jobs = shares(point.size, parts).map((count) => ({
    kind: 'fanout',
    count,
    messages: point.messages,
  }));
  return withProcesses({ ...point, workload: 'w3', jobs }, async ({ control, workers, startWorkers }) => {
    await startWorkers();
    const stats = await control(`/stats?topic=${FANOUT_TOPIC}`);
    const started = wallMicros();
    await control(`/publish?topic=${FANOUT_TOPIC}&messages=${point.messages}`);
    const results = await Promise.all(workers.map((w) => w.waitFor('result', point.timeoutMs)));
    const latency = new Histogram();
    let delivered = 0;
    let outOfOrder = 0;
    let lastAt = 0;
    for (const r of results) {
      latency.merge(Histogram.fromJSON(/** @type {Array<[number, number]>} */ (r.latency)));
      delivered += Number(r.delivered);
      outOfOrder += Number(r.outOfOrder);
      lastAt = Math.max(lastAt, Number(r.lastAt));
    }
    const expected = point.size * point.messages;
    const seconds = (lastAt - started) / 1e6;
    return {
      metrics: {
        deliveriesPerSec: expected / seconds,
        usPerDelivery: (seconds * 1e6) / expected,
        deliveryP50Us: latency.percentile(50),
        deliveryP99Us: latency.percentile(99),
      },
      checks: {
        serverSubscribers: stats.subscribers,
        delivered,
        expected,
        outOfOrder,
        messages: point.messages,
      },
      ok: stats.subscribers === point.size && delivered === expected && outOfOrder === 0,
    };
  });
}

/**
 * W4 at `size` idle connections, each subscribed to one of `topics` topics, spread over workers
 * of at most `perWorker` connections, each worker on its own source address: the server's heap
 * and RSS after forced GC, after minus before, per connection.
 * @param {PointOptions & { topics: number, perWorker: number }} point
 * @returns {Promise<PointResult>}
 */
export function idlePoint(point) {
  const parts = Math.ceil(point.size / point.perWorker);
  let offset = 0;
  const jobs = shares(point.size, parts).map((count) => {
    const job = { kind: 'idle', count, offset, topics: point.topics, localAddress: freshAddress() };
    offset += count;
    return job;
  });
  return withProcesses({ ...point, workload: 'w4', jobs }, async ({ control, startWorkers }) => {
    const before = await control('/memory');
    await startWorkers();
    // Let per-connection timers and lazy allocations settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await control('/memory');
    let subscribers = 0;
    for (let t = 0; t < point.topics; t++)
      subscribers += (await control(`/stats?topic=room${t}`)).subscribers;
    const n = point.size;
    return {
      metrics: {
        heapPerConnBytes: (after.heapUsed - before.heapUsed) / n,
        rssPerConnBytes: (after.rss - before.rss) / n,
      },
      checks: { serverConnections: after.connections, serverSubscribers: subscribers, expected: n },
      ok: after.connections === n && subscribers === n,
    };
  });
}

/**
 * W2 over `size` connections from one load process (100 connections are no strain for one),
 * `inFlight` calls in flight in all, spread evenly over them: calls/s, and µs per call.
 * @param {PointOptions & { warmup: number, calls: number, inFlight: number }} point
 * @returns {Promise<PointResult>}
 */
export async function throughputPoint(point) {
  const { peer, size, pin, timeoutMs, warmup, calls, inFlight } = point;
  const run = await runOne({
    peer,
    workload: 'w2',
    pin,
    timeoutMs,
    params: { connections: size, warmup, calls, inFlight },
  });
  const callsPerSec = run.metrics?.callsPerSec ?? Number.NaN;
  return {
    workload: 'w2',
    peer,
    size,
    ok: run.ok,
    metrics: run.metrics && { callsPerSec, usPerCall: 1e6 / callsPerSec },
    checks: run.checks,
    error: run.error,
    workers: 1,
    ms: run.ms,
  };
}
