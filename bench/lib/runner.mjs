/**
 * Runs one workload against one peer: starts the peer's server in its own Node process, then the
 * load in another, both bounded by the workload's time limit, and stops both by their own pids.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK, TIMEOUT_MS } from './config.mjs';
import { serverScript } from './peer.mjs';

const LOAD = fileURLToPath(new URL('../load.mjs', import.meta.url));
/** How long a server may take to start: over 15 s was seen on a loaded CI machine (load 24, 2 cores). */
const SERVER_READY_MS = 30_000;

/**
 * @typedef {object} RunResult
 * @property {string} peer
 * @property {string} workload
 * @property {boolean} ok
 * @property {Record<string, number>} [metrics]
 * @property {Record<string, number>} [checks]
 * @property {string} [error]
 * @property {number} ms wall time of the load process
 * @property {number} [rep] repetition index (set by the orchestrator)
 */

/**
 * Whether processes can be pinned to CPUs: Linux with `taskset` and at least two cores. Pinned,
 * the server owns CPU 0 and the load CPU 1, so every run sees the same scheduling (unpinned, a
 * ping-pong between two processes flips between sharing a core and waking an idle one, which
 * moves W1's p50 between about 40 and 110 µs from one run to the next on the same code).
 */
export const CAN_PIN =
  process.platform === 'linux' && cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;

/**
 * The hard limit on open files of this process's children (`ulimit -Hn`), or Infinity.
 */
export function hardFdLimit() {
  const out = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

/**
 * A Node child process that prints JSON lines on stdout.
 * @param {string[]} args node arguments
 * @param {{ cpu?: number, fdLimit?: number }} [options] pin to this CPU; raise the soft limit on
 *   open files to this many first (through `sh -c 'ulimit -n N; exec …'`, so it applies to the
 *   child only)
 */
export function startChild(args, { cpu, fdLimit } = {}) {
  // Every peer runs as it would in production (sockkit skips output validation there).
  const env = { ...process.env, NODE_ENV: 'production' };
  /** @type {string[]} */
  let command = [process.execPath, ...args];
  if (cpu !== undefined) command = ['taskset', '-c', String(cpu), ...command];
  if (fdLimit !== undefined) command = ['sh', '-c', `ulimit -n ${fdLimit} && exec "$@"`, 'sh', ...command];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  let buffer = '';
  /** @type {Array<(line: Record<string, unknown>) => void>} */
  const waiters = [];
  /** @type {Record<string, unknown>[]} */
  const lines = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl !== -1) {
      const text = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (text.startsWith('{')) {
        try {
          const line = JSON.parse(text);
          lines.push(line);
          for (const w of waiters.splice(0)) w(line);
        } catch {
          // not ours: a library printing to stdout
        }
      }
      nl = buffer.indexOf('\n');
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    exited,
    stderr: () => stderr,
    /**
     * The first line with `event`, or an error when the child exits or time runs out first.
     * @param {string} event
     * @param {number} timeoutMs
     * @returns {Promise<Record<string, unknown>>}
     */
    waitFor(event, timeoutMs) {
      const found = lines.find((l) => l.event === event);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`)),
          timeoutMs,
        );
        waiters.push((line) => {
          if (line.event === event) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`exited (${code}) before ${event}: ${stderr.slice(-2000)}`));
        });
      });
    },
    /** Stops this child by its pid: SIGTERM, then SIGKILL after a grace period. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(grace);
    },
  };
}

/**
 * Runs `workload` against `peer` once, with the counts of its mode unless `params` are given.
 * @param {{ peer: string, workload: string, quick?: boolean, pin?: boolean, params?: Record<string, number>, timeoutMs?: number, nodeArgs?: { server?: string[], load?: string[] } }} options
 * @returns {Promise<RunResult>}
 */
export async function runOne({ peer, workload, quick = false, pin = CAN_PIN, nodeArgs = {}, ...given }) {
  const mode = quick ? 'quick' : 'full';
  const params = given.params ?? (quick ? QUICK : FULL)[/** @type {keyof typeof FULL} */ (workload)];
  const timeoutMs = given.timeoutMs ?? TIMEOUT_MS[mode][/** @type {keyof typeof FULL} */ (workload)];
  const server = startChild(['--expose-gc', ...(nodeArgs.server ?? []), serverScript(peer)], {
    cpu: pin ? 0 : undefined,
  });
  /** @type {ReturnType<typeof startChild> | undefined} */
  let load;
  let finished = false;
  const started = performance.now();
  try {
    const ready = await server.waitFor('ready', SERVER_READY_MS);
    load = startChild(
      [
        ...(nodeArgs.load ?? []),
        LOAD,
        peer,
        workload,
        String(ready.url),
        String(ready.control),
        JSON.stringify(params),
      ],
      { cpu: pin ? 1 : undefined },
    );
    const result = await load.waitFor('result', timeoutMs);
    finished = true;
    const { event: _event, ...rest } = result;
    return /** @type {RunResult} */ ({ ...rest, peer, workload, ms: performance.now() - started });
  } catch (error) {
    const detail = [server.stderr(), load?.stderr() ?? ''].filter(Boolean).join('\n').slice(-4000);
    return {
      peer,
      workload,
      ok: false,
      error: `${error instanceof Error ? error.message : String(error)}${detail ? `\n${detail}` : ''}`,
      ms: performance.now() - started,
    };
  } finally {
    // The load process exits by itself after its result (writing its profile if asked).
    if (load !== undefined && finished) {
      await Promise.race([load.exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    }
    await Promise.all([load?.stop(), server.stop()]);
  }
}
