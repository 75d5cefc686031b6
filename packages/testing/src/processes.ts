/**
 * Child processes for fault tests: started with a bounded wait for readiness, stopped by
 * their own pid only, and always reaped when the test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** A started child process with the first line matching its ready pattern. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The captures of the ready pattern. */
  readonly ready: RegExpExecArray;
  /** Everything it printed so far. */
  output(): string;
  /** Sends `signal` to this pid and waits for exit (bounded). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** How a child is started. */
export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
  /**
   * The pid `stop` signals, given the child's: a wrapper such as strace passes no signal on,
   * so its traced process must get them.
   */
  signalled?: (pid: number) => number;
}

/**
 * Runs `node` with `args` and resolves once stdout matches `readyPattern`.
 * Rejects when it exits first or after `timeoutMs`.
 */
export function startNode(args: string[], readyPattern: RegExp, options: StartOptions = {}): Promise<Child> {
  return startProcess(process.execPath, args, readyPattern, options);
}

/** As `startNode`, for any `command`. */
export function startProcess(
  command: string,
  args: string[],
  readyPattern: RegExp,
  options: StartOptions = {},
): Promise<Child> {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child not ready in ${options.timeoutMs ?? 15000} ms:\n${out}`));
    }, options.timeoutMs ?? 15000);
    const onData = (data: Buffer) => {
      out += data.toString();
      const match = readyPattern.exec(out);
      if (match && child.pid !== undefined) {
        clearTimeout(timer);
        const pid = child.pid;
        resolve({
          process: child,
          pid,
          ready: match,
          output: () => out,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) {
              const target = options.signalled?.(pid) ?? pid;
              process.kill(target, signal);
              const bound = setTimeout(
                () => child.exitCode === null && process.kill(target, 'SIGKILL'),
                5000,
              );
              await exited;
              clearTimeout(bound);
            }
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (data: Buffer) => {
      out += data.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code ?? signal}) before ready:\n${out}`));
    });
  });
}
