/**
 * Bounded child processes: every command the checks run has a deadline, its whole process
 * group (the child and what it started) is killed when the deadline passes, and its output
 * is kept for the failure message.
 */
import { spawn } from 'node:child_process';

/** What a finished command left behind. */
export interface RunResult {
  readonly command: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Options for {@link run}. */
export interface RunOptions {
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The environment for tools run on behalf of a user: without the variables that `npm run`,
 * turbo and vitest set for this package (an inherited `npm_config_*` would point npm at the
 * monorepo; `NODE_ENV=test` would change what Vite builds).
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (keep.has(lower)) env[key] = value;
    else if (lower.startsWith('npm_') || lower.startsWith('vitest') || lower.startsWith('turbo_')) continue;
    else if (['INIT_CWD', 'NODE_ENV', 'TEST', 'NODE_OPTIONS', 'MODE'].includes(key)) continue;
    else env[key] = value;
  }
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', ...extra };
}

/** Runs `command args` with a deadline; never rejects, the result says what happened. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const line = [command, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ command: line, code: null, signal: null, stdout, stderr: `${stderr}${error}`, timedOut });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ command: line, code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Explains a result in a failure message: the command, how it ended and its output. */
export function describeRun(result: RunResult): string {
  const ended = result.timedOut ? 'timed out' : `exited ${result.code ?? result.signal}`;
  return `$ ${result.command}\n(${ended})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

/** Runs a command and throws with its output unless it exits 0 in time. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(describeRun(result));
  return result;
}
