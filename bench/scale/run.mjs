/**
 * The scale run, `npm run bench -- --scale [--quick] [--unpinned] [--peers …] [--workloads w2,w3,w4]`:
 * W2 over 1, 10 and 100 connections, W3 at 100, 1,000 and 10,000 subscribers, W4 at 1,000, 10,000
 * and 50,000 idle connections (sizes in scale/config.mjs), one fresh server per point, sizes in
 * turn with the peers interleaved at each size. Prints the tables; writes
 * results/scale-<time>.json, and the charts (scale-w2.png, scale-w3.png, scale-w4.png); a
 * complete full run writes the charts next to README.md, results/scale-latest.json and the
 * README's scale section, any other run its charts to a temporary directory.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForQuiet } from '../lib/quiet.mjs';
import { replaceSection } from '../lib/readme.mjs';
import { machine } from '../lib/report.mjs';
import { hardFdLimit } from '../lib/runner.mjs';
import { median } from '../lib/stats.mjs';
import { chartPng } from './chart.mjs';
import {
  FD_HEADROOM,
  QUIET_BUDGET_MS,
  QUIET_POINT_MS,
  SCALE,
  SCALE_PEERS,
  SCALE_WORKLOADS,
  sizesWithin,
} from './config.mjs';
import { fanoutPoint, idlePoint, throughputPoint } from './points.mjs';
import { scaleCharts, scaleMarkdown } from './report.mjs';

/**
 * @param {import('../lib/args.mjs').BenchArgs} args
 * @returns {Promise<{ points: import('./points.mjs').PointResult[], table: string, failed: number }>}
 */
export async function runScale(args) {
  const settings = SCALE[args.mode];
  const fdHardLimit = hardFdLimit();
  const startedAt = new Date();
  const loadAtStart = machine().loadAverage;
  const budgetEnd = Date.now() + settings.budgetMs;
  /** Milliseconds a full run may spend waiting for other work on the machine to pause. */
  let quietBudgetMs = QUIET_BUDGET_MS;
  /** @type {import('./points.mjs').PointResult[]} */
  const points = [];
  for (const workload of args.workloads) {
    const w = /** @type {'w2' | 'w3' | 'w4'} */ (workload);
    const sizes = sizesWithin(settings[w].sizes, fdHardLimit);
    for (const { size, fits } of sizes) {
      for (const peer of args.peers) {
        const base = { peer, size, pin: args.pin, fdHardLimit };
        // Other work's CPU share in the second before the point (waiting a little for it to drop).
        const quiet =
          args.mode === 'full' && fits
            ? await waitForQuiet({ maxMs: Math.min(QUIET_POINT_MS, quietBudgetMs) })
            : { waitedMs: 0, busy: undefined };
        quietBudgetMs = Math.max(0, quietBudgetMs - quiet.waitedMs);
        const skipped = !fits
          ? `not run: the server needs about ${(size + FD_HEADROOM).toLocaleString('en-US')} open files and \`ulimit -Hn\` here is ${fdHardLimit.toLocaleString('en-US')}`
          : Date.now() > budgetEnd
            ? 'not run: the run is past its time budget'
            : undefined;
        // The last point may run a minute past the budget, no more.
        const timeoutMs = Math.min(settings.timeoutMs[w], budgetEnd + 60_000 - Date.now());
        /** @type {import('./points.mjs').PointResult} */
        const point =
          skipped !== undefined
            ? { workload, peer, size, ok: false, ms: 0, skipped }
            : w === 'w2'
              ? await throughputPoint({ ...base, timeoutMs, ...settings.w2 })
              : w === 'w3'
                ? await fanoutPoint({
                    ...base,
                    timeoutMs,
                    messages: Math.max(settings.w3.minMessages, Math.round(settings.w3.deliveries / size)),
                    perWorker: settings.w3.perWorker,
                  })
                : await idlePoint({ ...base, timeoutMs, ...settings.w4 });
        points.push({ ...point, otherCpuBefore: quiet.busy });
        const summary = point.ok
          ? Object.entries(point.metrics ?? {})
              .map(([k, v]) => `${k}=${Math.round(v)}`)
              .join(' ')
          : (point.skipped ?? `FAILED ${point.error?.split('\n').slice(0, 3).join(' | ')}`);
        process.stderr.write(
          `[scale] ${workload} ${peer.padEnd(8)} ${String(size).padStart(6)} ${(point.ms / 1000).toFixed(1)}s ${summary}\n`,
        );
      }
    }
  }

  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const table = scaleMarkdown(points, args.peers);
  const failed = points.filter((p) => !p.ok && p.skipped === undefined).length;
  const complete =
    args.mode === 'full' &&
    args.peers.length === SCALE_PEERS.length &&
    args.workloads.length === SCALE_WORKLOADS.length;
  const busy = points.map((p) => p.otherCpuBefore ?? Number.NaN).filter(Number.isFinite);
  const m = { ...machine(), loadAverageAtStart: loadAtStart, pinned: args.pin, fdHardLimit };
  const pct = (/** @type {number} */ x) => `${Math.round(x * 100)}%`;
  const results = new URL('../results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  const json = `${JSON.stringify({ mode: args.mode, startedAt: startedAt.toISOString(), seconds, machine: m, peers: args.peers, points }, null, 2)}\n`;
  writeFileSync(
    new URL(`scale-${args.mode}-${startedAt.toISOString().replaceAll(':', '-')}.json`, results),
    json,
  );
  if (complete) writeFileSync(new URL(`scale-latest${args.pin ? '' : '-unpinned'}.json`, results), json);

  const chartDir =
    complete && args.pin
      ? fileURLToPath(new URL('..', import.meta.url))
      : mkdtempSync(join(tmpdir(), 'sockkit-bench-scale-'));
  const charts = scaleCharts(points, args.peers).map(({ workload, panels }) => {
    const file = join(chartDir, `scale-${workload}.png`);
    writeFileSync(file, chartPng(panels));
    return file;
  });

  const header = [
    `Scale run of ${startedAt.toISOString()} (one run per point; ${seconds.toFixed(0)} s), \`npm run bench -- --scale${args.pin ? '' : ' --unpinned'}\`.`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average (1/5/15 min) ${loadAtStart.join(' / ')} at the start, ${m.loadAverage.join(' / ')} at the end; ${args.pin ? 'server pinned to CPU 0, load workers to CPU 1' : 'not pinned'}; \`ulimit -Hn\` ${fdHardLimit}.`,
    busy.length > 0
      ? `Other work's CPU share in the second before each point: median ${pct(median(busy))}, max ${pct(Math.max(...busy))}.`
      : '',
    `Commit ${m.commit}${m.packagesChanged ? ' with uncommitted changes in packages/' : ''}.`,
  ]
    .filter(Boolean)
    .join('\n');
  if (complete && args.pin) replaceSection('scale', `${header}\n\n${table}`);
  process.stdout.write(
    `${header}\n\n${table}\n\ncharts: ${charts.join(', ')}\n${points.filter((p) => p.ok).length}/${points.length} points completed correctly in ${seconds.toFixed(0)} s${args.mode === 'quick' ? ' (quick mode: counts only, no speed asserted)' : ''}\n`,
  );
  return { points, table, failed };
}
