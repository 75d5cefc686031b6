/**
 * W6 cross-node fan-out through Redis: for each peer, three server processes sharing one Redis,
 * subscribers spread evenly over them, one publisher on node 1.
 *
 *   node bench/w6/run.mjs                 full: 999 subscribers × 1,000 messages, 3 repetitions
 *   node bench/w6/run.mjs --quick         smoke: 30 × 50, 1 repetition, correctness only
 *   node bench/w6/run.mjs --reps 1 --peers ws-redis,sockkit-redis
 *   options: --redis URL, --out FILE, --run-timeout MS (hard limit per peer run),
 *   --publish-interval MS (publish one message every MS ms instead of one per event-loop turn),
 *   --wait-replicas N (sockkit-redis only: `waitForReplicas: { replicas: N, timeoutMs: 1000 }`;
 *   the Redis given must have N replicas)
 *
 * Redis is `--redis` or `REDIS_URL` (default redis://127.0.0.1:6379). Everything a run creates in
 * Redis lives under one unique key prefix, deleted at the end (SCAN + DEL on that prefix only).
 * Where no Redis answers, the run is skipped with a loud line (exit 0), or fails with
 * SOCKKIT_REQUIRE_ALL=1. A run that fails its checks makes the command exit 1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { MODES, median, NODES, PEERS, TARGETS, TOPIC } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVER = join(HERE, 'server.mjs');
const LOAD = join(HERE, 'load.mjs');
const RESULTS = join(HERE, '..', 'results');
const READY_TIMEOUT_MS = 30_000;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    peers: { type: 'string', default: PEERS.join(',') },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    out: { type: 'string' },
    'run-timeout': { type: 'string' },
    'publish-interval': { type: 'string', default: '0' },
    'wait-replicas': { type: 'string', default: '0' },
  },
});
const mode = args.quick ? 'quick' : 'full';
const settings = { ...MODES[mode] };
if (args['run-timeout'] !== undefined) settings.runTimeoutMs = Number(args['run-timeout']);
const publishIntervalMs = Number(args['publish-interval']);
const waitReplicas = Number(args['wait-replicas']);
if (!Number.isInteger(waitReplicas) || waitReplicas < 0) throw new Error('--wait-replicas must be a count');
const reps = args.reps === undefined ? settings.reps : Number(args.reps);
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a positive integer');
const peers = args.peers.split(',').filter(Boolean);
for (const p of peers) if (!PEERS.includes(p)) throw new Error(`unknown peer ${p} (${PEERS.join(', ')})`);
const redisUrl = args.redis;
const standard =
  mode === 'full' && peers.length === PEERS.length && publishIntervalMs === 0 && waitReplicas === 0;
const out = args.out ?? join(RESULTS, standard ? 'w6-latest.json' : `w6-${mode}.json`);

/** Every child this run started and has not seen exit, so nothing outlives the run. */
const live = new Set();

/**
 * A Node child printing JSON lines on stdout. Its stdin stays open: the child exits when it
 * closes, so it cannot outlive this process even if this process dies without cleaning up.
 * @param {string} label
 * @param {string[]} argv
 */
function startChild(label, argv) {
  const child = spawn(process.execPath, argv, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  live.add(child);
  let stderr = '';
  let buffer = '';
  /** @type {Record<string, any>[]} */
  const lines = [];
  /** @type {Array<() => void>} */
  const waiters = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const text = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!text.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(text));
        for (const w of waiters.splice(0)) w();
      } catch {
        // a library printing to stdout
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const w of waiters.splice(0)) w();
      resolve(code ?? signal);
    }),
  );
  return {
    label,
    exited,
    stderr: () => stderr,
    /**
     * The first line with this `event`; rejects when the child exits or time runs out first.
     * @param {string} event
     * @param {number} timeoutMs
     * @returns {Promise<Record<string, any>>}
     */
    waitFor(event, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${label}: no ${event} within ${Math.round(timeoutMs)} ms`));
        }, timeoutMs);
        const check = () => {
          const found = lines.find((l) => l.event === event);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else if (!live.has(child)) {
            clearTimeout(timer);
            reject(new Error(`${label} exited before ${event}: ${stderr.slice(-2000)}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    /** SIGTERM by pid, SIGKILL after 5 s. */
    async stop() {
      if (!live.has(child)) return;
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(grace);
    },
  };
}

/** @param {Redis} redis @param {string} prefix */
async function deleteKeys(redis, prefix) {
  let cursor = '0';
  let deleted = 0;
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/**
 * One peer, one repetition: three servers, one load process, all stopped by pid at the end.
 * @param {string} peer
 * @param {string} prefix
 * @returns {Promise<Record<string, any>>}
 */
async function attempt(peer, prefix) {
  const started = performance.now();
  const deadline = started + settings.runTimeoutMs;
  /** @type {ReturnType<typeof startChild>[]} */
  const children = [];
  /** @type {NodeJS.Timeout | undefined} */
  let hardTimer;
  const hardLimit = new Promise((_, reject) => {
    hardTimer = setTimeout(
      () => reject(new Error(`hard time limit of ${settings.runTimeoutMs} ms reached`)),
      settings.runTimeoutMs,
    );
  });
  try {
    const work = (async () => {
      const servers = Array.from({ length: NODES }, (_, n) =>
        startChild(`${peer} node ${n + 1}`, [
          SERVER,
          peer,
          JSON.stringify({
            node: n + 1,
            redisUrl,
            prefix,
            topic: TOPIC,
            waitReplicas,
            lifetimeMs: settings.runTimeoutMs + 30_000,
          }),
        ]),
      );
      children.push(...servers);
      const ready = await Promise.all(servers.map((s) => s.waitFor('ready', READY_TIMEOUT_MS)));
      const load = startChild(`${peer} load`, [
        LOAD,
        JSON.stringify({
          peer,
          urls: ready.map((r) => r.url),
          controls: ready.map((r) => r.control),
          subscribers: settings.subscribers,
          messages: settings.messages,
          topic: TOPIC,
          redisUrl,
          deliveryTimeoutMs: Math.max(5_000, deadline - performance.now() - 45_000),
          publishIntervalMs,
        }),
      ]);
      children.push(load);
      return await load.waitFor('result', Math.max(1, deadline - performance.now()));
    })();
    work.catch(() => {}); // past the hard limit its rejection is expected and already handled
    const { event: _event, ...result } = await Promise.race([work, hardLimit]);
    return { peer, ...result };
  } catch (error) {
    const detail = children
      .map((c) => (c.stderr() ? `[${c.label}] ${c.stderr().slice(-1500)}` : ''))
      .filter(Boolean)
      .join('\n');
    return {
      peer,
      ok: false,
      error: `${error instanceof Error ? error.message : String(error)}${detail ? `\n${detail}` : ''}`,
    };
  } finally {
    clearTimeout(hardTimer);
    await Promise.all(children.map((c) => c.stop()));
  }
}

/**
 * {@link attempt}, then the run's keys deleted once every process is gone.
 * @param {Redis} redis
 * @param {string} peer
 * @param {string} prefix
 */
async function runOnce(redis, peer, prefix) {
  const started = performance.now();
  const result = await attempt(peer, prefix);
  const keysDeleted = await deleteKeys(redis, prefix).catch((error) => {
    console.error(`could not delete ${prefix}*: ${error}`);
    return Number.NaN;
  });
  return { ...result, ms: performance.now() - started, keysDeleted };
}

/** Version of an installed package, looked up from here upwards. */
function version(/** @type {string} */ name) {
  for (let dir = HERE; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
    if (dirname(dir) === dir) return undefined;
  }
}

const fmt = (/** @type {number} */ x, /** @type {number} */ digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

const times = (/** @type {number} */ x) => (Number.isFinite(x) ? `${fmt(x, 2)}×` : 'n/a');

const ROWS = [
  { metric: 'deliveriesPerSec', label: 'deliveries/s', digits: 0 },
  { metric: 'p50Ms', label: 'delivery p50 ms', digits: 1 },
  { metric: 'p99Ms', label: 'delivery p99 ms', digits: 1 },
  { metric: 'cpuUsPerDelivery', label: 'server CPU µs/delivery (3 nodes)', digits: 2 },
  { metric: 'loadCpuUsPerDelivery', label: 'load process CPU µs/delivery', digits: 2 },
  { metric: 'redisCpuUsPerDelivery', label: 'Redis CPU µs/delivery (whole Redis)', digits: 3 },
];

async function main() {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  let redisVersion;
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  } catch (error) {
    const where = redisUrl.replace(/\/\/[^@]*@/, '//');
    console.error(`\n!!! W6 SKIPPED: no Redis answers at ${where} (${error}). Set REDIS_URL. !!!\n`);
    redis.disconnect();
    process.exit(process.env.SOCKKIT_REQUIRE_ALL === '1' ? 1 : 0);
  }
  const runPrefix = `sockkit-bench-w6:${Date.now().toString(36)}-${randomBytes(4).toString('hex')}:`;
  const stopAll = async (/** @type {string} */ signal) => {
    console.error(`\n${signal}: stopping ${live.size} child processes`);
    for (const child of live) child.kill('SIGKILL');
    await deleteKeys(redis, runPrefix).catch(() => {});
    process.exit(130);
  };
  process.once('SIGINT', () => stopAll('SIGINT'));
  process.once('SIGTERM', () => stopAll('SIGTERM'));

  const startedAt = new Date();
  const loadStart = os.loadavg();
  console.log(
    `W6 cross-node fan-out, ${mode}: ${NODES} nodes, ${settings.subscribers} subscribers × ${settings.messages} messages, ` +
      `${reps} repetition(s)${publishIntervalMs > 0 ? `, one publish every ${publishIntervalMs} ms` : ''}${waitReplicas > 0 ? `, publishes acknowledged by ${waitReplicas} replica(s)` : ''}, peers ${peers.join(', ')}; Redis ${redisVersion}; load average ${loadStart.map((l) => l.toFixed(2)).join(' / ')}`,
  );
  /** @type {Array<Record<string, any>>} */
  const runs = [];
  for (let rep = 0; rep < reps; rep++) {
    // Rotate the order so no peer always runs first (or last) on a machine whose load drifts.
    const order = peers.map((_, i) => peers[(i + rep) % peers.length]);
    for (const peer of order) {
      const result = await runOnce(redis, peer, `${runPrefix}${peer}-${rep}:`);
      runs.push({ rep, ...result });
      const m = result.metrics;
      console.log(
        result.ok
          ? `  rep ${rep + 1} ${peer}: ${fmt(m.deliveriesPerSec)} deliveries/s, p50 ${fmt(m.p50Ms, 1)} ms, p99 ${fmt(m.p99Ms, 1)} ms, ` +
              `server CPU ${fmt(m.cpuUsPerDelivery, 2)} µs/delivery (${(result.ms / 1000).toFixed(1)} s)`
          : `  rep ${rep + 1} ${peer}: FAILED: ${result.error}`,
      );
    }
  }
  const leftovers = await deleteKeys(redis, runPrefix).catch(() => Number.NaN);
  redis.disconnect();
  const finishedAt = new Date();
  const loadEnd = os.loadavg();

  /** @type {Record<string, Record<string, number>>} */
  const medians = {};
  /** @type {Record<string, boolean>} */
  const failed = {};
  for (const peer of peers) {
    const mine = runs.filter((r) => r.peer === peer);
    failed[peer] = mine.some((r) => !r.ok);
    medians[peer] = {};
    for (const { metric } of ROWS) {
      medians[peer][metric] = median(mine.filter((r) => r.ok).map((r) => r.metrics[metric]));
    }
  }
  const targets = TARGETS.filter((t) => peers.includes(t.peer) && peers.includes(t.vs)).map((t) => {
    const ratio = medians[t.peer][t.metric] / medians[t.vs][t.metric];
    const perRep = [];
    for (let rep = 0; rep < reps; rep++) {
      const a = runs.find((r) => r.rep === rep && r.peer === t.peer && r.ok);
      const b = runs.find((r) => r.rep === rep && r.peer === t.vs && r.ok);
      if (a && b) perRep.push(a.metrics[t.metric] / b.metrics[t.metric]);
    }
    const met = t.max !== undefined ? ratio <= t.max : ratio >= /** @type {number} */ (t.min);
    let verdict = met ? 'met' : 'missed';
    if (failed[t.peer] || failed[t.vs] || !Number.isFinite(ratio)) verdict = 'n/a (a run failed)';
    else if (mode === 'quick') verdict = `${verdict} (quick: not judged)`;
    return { ...t, ratio, perRepRatios: perRep, medianOfPerRepRatios: median(perRep), verdict };
  });

  const cell = (/** @type {string} */ peer, /** @type {(typeof ROWS)[number]} */ row) =>
    failed[peer] ? 'FAILED' : fmt(medians[peer][row.metric], row.digits);
  const table = [
    `| metric | ${peers.join(' | ')} |`,
    `|---|${peers.map(() => '---:').join('|')}|`,
    ...ROWS.map((row) => `| ${row.label} | ${peers.map((p) => cell(p, row)).join(' | ')} |`),
  ].join('\n');
  const targetTable = [
    '| target | wanted | ratio of medians | verdict | median of per-rep ratios |',
    '|---|---:|---:|---|---:|',
    ...targets.map(
      (t) =>
        `| ${t.metric} ${t.peer} / ${t.vs} | ${t.max !== undefined ? `≤ ${t.max}` : `≥ ${t.min}`} | ` +
        `${times(t.ratio)} | ${t.verdict} | ${times(t.medianOfPerRepRatios)} |`,
    ),
  ].join('\n');
  const durationS = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  const loads = (/** @type {number[]} */ l) => l.map((x) => x.toFixed(2)).join(' / ');
  console.log(
    `\n${reps > 1 ? `Medians of ${reps} repetitions` : 'One repetition'}, ${mode} mode, ${durationS.toFixed(0)} s; ` +
      `load average (1/5/15 min) ${loads(loadStart)} at the start, ${loads(loadEnd)} at the end.\n\n${table}\n`,
  );
  if (targetTable.split('\n').length > 2) console.log(`${targetTable}\n`);

  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: HERE, encoding: 'utf8' }).trim();
  } catch {
    commit = undefined;
  }
  const report = {
    workload: 'w6',
    title: 'cross-node fan-out through Redis',
    mode,
    command: `node bench/w6/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS,
    params: {
      nodes: NODES,
      subscribers: settings.subscribers,
      messages: settings.messages,
      publishIntervalMs,
      waitReplicas,
      reps,
      peers,
    },
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      loadavgStart: loadStart,
      loadavgEnd: loadEnd,
    },
    redis: { version: redisVersion, leftoverKeysDeleted: leftovers },
    commit,
    versions: Object.fromEntries(
      ['ws', 'ioredis', 'socket.io', 'socket.io-client', '@socket.io/redis-adapter', 'zod'].map((n) => [
        n,
        version(n),
      ]),
    ),
    medians,
    failed,
    targets,
    runs,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
  const anyFailed = Object.values(failed).some(Boolean);
  if (anyFailed) console.error('W6: at least one run FAILED its checks');
  process.exit(anyFailed ? 1 : 0);
}

await main();
