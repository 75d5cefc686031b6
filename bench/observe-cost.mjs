/**
 * CPU time per W2 call, server and client, with observing off or on (SOCKKIT_BENCH_OBSERVE and
 * SOCKKIT_BENCH_SAMPLE, as peers/sockkit/observe.mjs reads them). W2's throughput on a shared
 * machine moves by a factor of two between runs; the CPU each process spends per call moves far
 * less, so it is what shows what observing costs. W2's pattern: one connection, 256 calls in
 * flight; the server is the bench's sockkit peer, in its own process, its CPU time read from
 * /proc (Linux).
 *   node observe-cost.mjs [--calls 200000] [--configs off,metrics,1@0.1,1@1] [--reps 3]
 * A config is a SOCKKIT_BENCH_OBSERVE value (`off` for none; parts joined with `+`, e.g.
 * `metrics+server-tracing`) with an optional `@ratio`. Configs are interleaved within each rep;
 * the medians are printed as a table.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200000' },
    configs: { type: 'string', default: 'off,metrics,1@0.1,1@1' },
    reps: { type: 'string', default: '3' },
    child: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const IN_FLIGHT = 256;
const WARMUP = 10_000;
const TICK_MS = 10; // USER_HZ: /proc/<pid>/stat counts in 1/100 s

/** CPU milliseconds (user + system) of process `pid` so far. */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** One measurement, in a fresh client process (its observe config is read at import). */
async function child() {
  const [{ connect }, { echoInput, isEcho }] = await Promise.all([
    import('./peers/sockkit/client.mjs'),
    import('./lib/payloads.mjs'),
  ]);
  const server = spawn(
    process.execPath,
    [fileURLToPath(new URL('./peers/sockkit/server.mjs', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const url = await new Promise((resolve) => {
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (line) => {
      for (const l of line.split('\n')) if (l.includes('"ready"')) resolve(JSON.parse(l).url);
    });
  });
  const client = await connect(url);
  let wrong = 0;
  const burst = async (base, total) => {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const input = echoInput(base + next++);
        if (!isEcho(input, await client.call(input))) wrong++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  };
  await burst(0, WARMUP);
  const s0 = cpuOf(server.pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await burst(WARMUP, calls);
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const serverMs = cpuOf(server.pid) - s0;
  await client.close();
  server.kill('SIGTERM');
  process.stdout.write(
    `${JSON.stringify({
      callsPerSec: Math.round(calls / seconds),
      serverUs: (serverMs * 1000) / calls,
      clientUs: (c.user + c.system) / calls,
      wrong,
    })}\n`,
  );
  process.exit(0);
}

/** Runs one config in a child process. */
function measure(config) {
  const [observe, ratio] = config.split('@');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--calls', String(calls)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        SOCKKIT_BENCH_OBSERVE: observe === 'off' ? '' : observe.replaceAll('+', ','),
        SOCKKIT_BENCH_SAMPLE: ratio ?? '0.1',
      },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${config}: exit ${code}`)),
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (values.child) await child();
else {
  const configs = values.configs.split(',');
  /** @type {Map<string, { callsPerSec: number, serverUs: number, clientUs: number }[]>} */
  const results = new Map(configs.map((c) => [c, []]));
  for (let rep = 1; rep <= Number(values.reps); rep++)
    for (const config of configs) {
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      const r = await measure(config);
      if (r.wrong !== 0) throw new Error(`${config}: ${r.wrong} wrong answers`);
      results.get(config)?.push(r);
      console.error(`rep ${rep} ${config}: ${JSON.stringify(r)} (load ${load})`);
    }
  const base = results.get(configs[0]);
  const baseServer = median(base.map((r) => r.serverUs));
  const baseClient = median(base.map((r) => r.clientUs));
  console.log('| config | calls/s | server CPU µs/call | client CPU µs/call | server+client vs first |');
  console.log('|---|---|---|---|---|');
  for (const [config, rs] of results) {
    const s = median(rs.map((r) => r.serverUs));
    const c = median(rs.map((r) => r.clientUs));
    console.log(
      `| ${config} | ${median(rs.map((r) => r.callsPerSec)).toLocaleString('en-US')} | ${s.toFixed(2)} | ${c.toFixed(2)} | ${((s + c) / (baseServer + baseClient)).toFixed(2)} |`,
    );
  }
}
