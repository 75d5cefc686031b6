/**
 * `npm run bench [-- --quick] [--peers ws,trpc] [--workloads w1,w2] [--reps N] [--profile] [--unpinned]`
 * Runs every workload against every peer (each pair in a fresh server process and a fresh load
 * process), repeats the full run three times with peers in rotating order, prints medians and
 * ratios to raw ws, and writes them to results/. Exits non-zero when any run failed.
 * `npm run bench -- --scale [--quick] [--unpinned]` runs the scale curves instead (scale/run.mjs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from './lib/args.mjs';
import { PEERS, RUNNABLE, runsOn } from './lib/config.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { replaceSection } from './lib/readme.mjs';
import { machine, markdown, medians, ratios, targets } from './lib/report.mjs';
import { CAN_PIN, runOne } from './lib/runner.mjs';
import { median } from './lib/stats.mjs';
import { runScale } from './scale/run.mjs';

const args = parseBenchArgs(process.argv.slice(2), { canPin: CAN_PIN });
if (args.scale) {
  const { failed } = await runScale(args);
  process.exit(failed > 0 ? 1 : 0);
}
const quick = args.mode === 'quick';
const { peers, workloads, pin, reps } = args;

/**
 * `--cpu-prof` for both processes, into results/profiles/<peer>-<workload>/.
 * @param {string} peer
 * @param {string} workload
 */
function profileArgs(peer, workload) {
  const dir = fileURLToPath(new URL(`./results/profiles/${peer}-${workload}/`, import.meta.url));
  const prof = (/** @type {string} */ role) => [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
    '--cpu-prof-name',
    `${role}.cpuprofile`,
  ];
  return { server: prof('server'), load: prof('load') };
}

/** @param {number} x */
const pct = (x) => `${Math.round(x * 100)}%`;

const startedAt = new Date();
const loadAtStart = machine().loadAverage;
if (!quick && loadAtStart[0] > 0.5) {
  process.stderr.write(
    `note: load average ${loadAtStart.join(' / ')} before the run; other work will move the numbers\n`,
  );
}
/** @type {import('./lib/runner.mjs').RunResult[]} */
const runs = [];
/** Milliseconds a full run may spend in total waiting for a quiet machine. */
let quietBudgetMs = 120_000;
/** @type {number[]} CPU share used by other work in the second before each run */
const busyBefore = [];
for (let rep = 0; rep < reps; rep++) {
  // Rotate the order so no peer always runs first (or right after the heaviest one).
  const order = peers.map((_, i) => peers[(i + rep) % peers.length]);
  for (const workload of workloads) {
    for (const peer of order) {
      if (!runsOn(workload, peer)) continue;
      // Full runs wait (within a budget) for other work on the machine to pause before each run.
      if (!quick && quietBudgetMs > 0) {
        const quiet = await waitForQuiet({ maxMs: Math.min(20_000, quietBudgetMs) });
        quietBudgetMs -= quiet.waitedMs;
        busyBefore.push(quiet.busy ?? Number.NaN);
      }
      const run = await runOne({
        peer,
        workload,
        quick,
        pin,
        nodeArgs: args.profile ? profileArgs(peer, workload) : {},
      });
      runs.push({ ...run, rep });
      const summary = run.ok
        ? Object.entries(run.metrics ?? {})
            .map(([k, v]) => `${k}=${Math.round(v)}`)
            .join(' ')
        : `FAILED ${run.error?.split('\n').slice(0, 3).join(' | ')}`;
      process.stderr.write(
        `[rep ${rep + 1}/${reps}] ${workload} ${peer.padEnd(8)} ${(run.ms / 1000).toFixed(1)}s ${summary}\n`,
      );
    }
  }
}

const med = medians(runs);
const table = markdown(med, peers, runs);
const failed = runs.filter((r) => !r.ok);
const seconds = (Date.now() - startedAt.getTime()) / 1000;
const report = {
  mode: quick ? 'quick' : 'full',
  startedAt: startedAt.toISOString(),
  seconds,
  machine: {
    ...machine(),
    loadAverageAtStart: loadAtStart,
    pinned: pin,
    otherCpuBeforeRuns:
      busyBefore.length > 0 ? { median: median(busyBefore), max: Math.max(...busyBefore) } : null,
  },
  peers,
  workloads,
  reps,
  medians: med,
  ratios: ratios(med, peers),
  targets: targets(med, runs),
  failed: failed.length,
  runs,
};
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const json = `${JSON.stringify(report, null, 2)}\n`;
// Only a complete full run replaces latest.json (the one bench/README.md shows).
const complete =
  !quick && !args.profile && peers.length === PEERS.length && workloads.length === RUNNABLE.length;
writeFileSync(
  new URL(`${quick ? 'quick' : 'full'}-${startedAt.toISOString().replaceAll(':', '-')}.json`, dir),
  json,
);
// An unpinned complete run is kept beside the pinned one, so that the two can be compared.
const latest = complete
  ? pin
    ? 'latest.json'
    : 'latest-unpinned.json'
  : `${quick ? 'quick' : 'partial'}-latest.json`;
writeFileSync(new URL(latest, dir), json);
if (complete) {
  const m = report.machine;
  replaceSection(
    pin ? 'results' : 'results-unpinned',
    [
      `Run of ${report.startedAt} (${reps} repetitions, medians; ${seconds.toFixed(0)} s), \`npm run bench${pin ? '' : ' -- --unpinned'}\`.`,
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average (1/5/15 min) ${m.loadAverageAtStart.join(' / ')} at the start, ${m.loadAverage.join(' / ')} at the end; ${pin ? 'server pinned to CPU 0, load to CPU 1' : 'not pinned'}.`,
      m.otherCpuBeforeRuns
        ? `Other work's CPU share in the second before each run: median ${pct(m.otherCpuBeforeRuns.median)}, max ${pct(m.otherCpuBeforeRuns.max)} (each run waits up to 20 s for it to fall below 15%).`
        : '',
      `Commit ${m.commit}${m.packagesChanged ? ' with uncommitted changes in packages/' : ''}. Versions: ${Object.entries(
        m.versions,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
      '',
      table,
      failed.length > 0 ? `\n${failed.length} run(s) failed; see results/latest.json.` : '',
    ].join('\n'),
  );
}
process.stdout.write(
  `${table}\n\n${runs.length - failed.length}/${runs.length} runs completed correctly in ${seconds.toFixed(0)} s${quick ? ' (quick mode: counts only, no speed asserted)' : ''}\n`,
);
if (failed.length > 0) {
  for (const f of failed) process.stdout.write(`FAILED ${f.workload} ${f.peer}: ${f.error}\n`);
  process.exitCode = 1;
}
