/**
 * Turns runs into medians, ratios to the baseline, target verdicts and markdown tables.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
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
 * The issue's targets for sockkit, each with its measured ratio (of the medians, as the issue
 * states them) and verdict, plus the median of the ratios paired within each repetition, which
 * drifts less when the machine's load changes between repetitions.
 * @param {ReturnType<typeof medians>} med
 * @param {RunResult[]} [runs] with `rep`, for the paired ratios
 */
export function targets(med, runs = []) {
  return TARGETS.map((t) => {
    const ratio = metricOf(med, 'sockkit', t.workload, t.metric) / metricOf(med, t.vs, t.workload, t.metric);
    const pass = Number.isFinite(ratio)
      ? t.min !== undefined
        ? ratio >= t.min
        : ratio <= (t.max ?? 0)
      : null;
    /** @param {string} peer @param {number} rep */
    const at = (peer, rep) =>
      runs.find((r) => r.ok && r.peer === peer && r.workload === t.workload && r.rep === rep)?.metrics?.[
        t.metric
      ];
    const reps = [...new Set(runs.map((r) => r.rep ?? 0))];
    const pairedRatio = median(
      reps.map((rep) => (at('sockkit', rep) ?? Number.NaN) / (at(t.vs, rep) ?? Number.NaN)),
    );
    return { ...t, ratio, pass, pairedRatio };
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
 * @param {RunResult[]} [runs]
 */
export function markdown(med, peers, runs = []) {
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
  /** @param {number} x */
  const times = (x) => (Number.isFinite(x) ? `${fmt(x)}×` : 'n/a');
  const tgt = targets(med, runs).map((t) => {
    const wanted = t.min !== undefined ? `≥ ${t.min}` : `≤ ${t.max}`;
    const verdict = t.pass === null ? 'n/a' : t.pass ? 'met' : 'missed';
    return `| ${t.workload} ${t.metric} sockkit/${t.vs} | ${wanted} | ${times(t.ratio)} | ${verdict} | ${times(t.pairedRatio)} |`;
  });

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
    '| target | wanted | ratio of medians | verdict | median of per-repetition ratios |\n|---|---:|---:|---|---:|',
    ...tgt,
  ].join('\n');
}

const require = createRequire(import.meta.url);

/**
 * Installed version of a package (found from its entry point when it does not export package.json).
 * @param {string} name
 */
function versionOf(name) {
  try {
    let dir = dirname(require.resolve(name));
    while (dir !== dirname(dir)) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg)) {
        const json = JSON.parse(readFileSync(pkg, 'utf8'));
        if (json.name === name) return json.version;
      }
      dir = dirname(dir);
    }
  } catch {
    // not installed
  }
  return 'n/a';
}

/**
 * Output of a git command in the repository, or '' when git is unavailable.
 * @param {string[]} args
 */
function git(args) {
  try {
    return execFileSync('git', args, { cwd: new URL('.', import.meta.url), encoding: 'utf8' }).trim();
  } catch {
    return '';
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
    commit: git(['rev-parse', '--short', 'HEAD']),
    packagesChanged: git(['status', '--porcelain', '--', 'packages']) !== '',
    versions: Object.fromEntries(
      ['ws', 'socket.io', 'socket.io-client', '@trpc/server', '@trpc/client', 'zod', 'superjson'].map((n) => [
        n,
        versionOf(n),
      ]),
    ),
  };
}
