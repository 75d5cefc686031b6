/**
 * Turns runs into medians, ratios to the baseline, target verdicts and markdown tables.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { BASELINE, METRICS, TARGETS } from './config.mjs';
import { median } from './stats.mjs';

/** @typedef {import('./runner.mjs').RunResult} RunResult */

/**
 * Median of every metric per peer and workload, over the runs that completed correctly.
 * @param {RunResult[]} runs
 * @returns {Record<string, Record<string, Record<string, number>>>} peer → workload → metric → median
 */
export function medians(runs) {
  /** @type {Record<string, Record<string, Record<string, number[]>>>} */
  const samples = {};
  for (const run of runs) {
    if (!run.ok || run.metrics === undefined) continue;
    samples[run.peer] ??= {};
    samples[run.peer][run.workload] ??= {};
    const into = samples[run.peer][run.workload];
    for (const [metric, value] of Object.entries(run.metrics)) {
      into[metric] ??= [];
      into[metric].push(value);
    }
  }
  /** @type {Record<string, Record<string, Record<string, number>>>} */
  const out = {};
  for (const [peer, workloads] of Object.entries(samples)) {
    out[peer] = {};
    for (const [workload, metrics] of Object.entries(workloads)) {
      out[peer][workload] = {};
      for (const [metric, values] of Object.entries(metrics)) out[peer][workload][metric] = median(values);
    }
  }
  return out;
}

/**
 * @param {ReturnType<typeof medians>} med
 * @param {string} peer
 * @param {string} workload
 * @param {string} metric
 */
function metricOf(med, peer, workload, metric) {
  return med[peer]?.[workload]?.[metric] ?? Number.NaN;
}

/**
 * Ratio of every peer to the baseline, per table metric.
 * @param {ReturnType<typeof medians>} med
 * @param {string[]} peers
 */
export function ratios(med, peers) {
  /** @type {Record<string, Record<string, number>>} */
  const out = {};
  for (const peer of peers) {
    out[peer] = {};
    for (const m of METRICS) {
      out[peer][`${m.workload}.${m.metric}`] =
        metricOf(med, peer, m.workload, m.metric) / metricOf(med, BASELINE, m.workload, m.metric);
    }
  }
  return out;
}

/**
 * The issue's targets for sockkit, each with its measured ratio and verdict.
 * @param {ReturnType<typeof medians>} med
 */
export function targets(med) {
  return TARGETS.map((t) => {
    const ratio = metricOf(med, 'sockkit', t.workload, t.metric) / metricOf(med, t.vs, t.workload, t.metric);
    const pass = Number.isFinite(ratio)
      ? t.min !== undefined
        ? ratio >= t.min
        : ratio <= (t.max ?? 0)
      : null;
    return { ...t, ratio, pass };
  });
}

/** @param {number} x */
function fmt(x) {
  if (!Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(x >= 10 ? 1 : 2);
}

/**
 * Markdown tables: absolute medians, ratios to the baseline, and the targets.
 * @param {ReturnType<typeof medians>} med
 * @param {string[]} peers
 */
export function markdown(med, peers) {
  const r = ratios(med, peers);
  const head = `| metric | ${peers.join(' | ')} |\n|---|${peers.map(() => '---:').join('|')}|`;
  const abs = METRICS.map(
    (m) => `| ${m.label} | ${peers.map((p) => fmt(metricOf(med, p, m.workload, m.metric))).join(' | ')} |`,
  );
  const rel = METRICS.map(
    (m) =>
      `| ${m.label} (${m.higher ? 'higher' : 'lower'} is better) | ${peers
        .map((p) => `${fmt(r[p][`${m.workload}.${m.metric}`])}×`)
        .join(' | ')} |`,
  );
  const tgt = targets(med).map(
    (t) =>
      `| ${t.workload} ${t.metric} sockkit/${t.vs} | ${t.min !== undefined ? `≥ ${t.min}` : `≤ ${t.max}`} | ${Number.isFinite(t.ratio) ? `${fmt(t.ratio)}×` : 'n/a'} | ${
        t.pass === null ? 'n/a' : t.pass ? 'met' : 'missed'
      } |`,
  );
  return [
    '**Absolute (medians)**',
    '',
    head,
    ...abs,
    '',
    `**Ratio to raw ${BASELINE}**`,
    '',
    head,
    ...rel,
    '',
    '**Targets**',
    '',
    '| target | wanted | measured | verdict |\n|---|---:|---:|---|',
    ...tgt,
  ].join('\n');
}

const require = createRequire(import.meta.url);

/** @param {string} name */
function versionOf(name) {
  try {
    const path = require.resolve(`${name}/package.json`);
    return JSON.parse(readFileSync(path, 'utf8')).version;
  } catch {
    return 'n/a';
  }
}

/** The machine and the versions measured. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    versions: Object.fromEntries(
      ['ws', 'socket.io', 'socket.io-client', '@trpc/server', '@trpc/client', 'zod', 'superjson'].map((n) => [
        n,
        versionOf(n),
      ]),
    ),
  };
}
