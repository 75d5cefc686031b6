/**
 * The live-docs server as a child process under `strace`, and the trace read back as an
 * ordered list of the calls that matter for durability: writes and syncs of the database
 * files, and writes to sockets. A process killed with SIGKILL keeps its writes in the page
 * cache, so only the system calls show whether a confirmed edit reached the disk.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** strace's path, when installed. */
export const stracePath = ['/usr/bin/strace', '/bin/strace'].find((path) => existsSync(path));

/** Whether strace may trace a child here (ptrace can be forbidden in containers). */
export function straceWorks(): boolean {
  if (!stracePath) return false;
  try {
    execFileSync(stracePath, ['-f', '-qq', '-e', 'trace=none', '--', process.execPath, '-e', '0'], {
      stdio: 'ignore',
      timeout: 20_000,
    });
    return true;
  } catch {
    return false;
  }
}

const SYSCALLS = [
  'fsync',
  'fdatasync',
  'write',
  'writev',
  'pwrite64',
  'pwritev',
  'pwritev2',
  'sendmsg',
  'sendto',
];

/** One system call of the trace, in the order the traced process made them. */
export interface TracedCall {
  syscall: string;
  /** The path (or `socket:[inode]`) of its file descriptor, as `strace -y` shows it. */
  fd: string;
  /** The traced arguments, strace-escaped (a `"` reads `\"`). */
  args: string;
  /** How many calls of the trace had started when this one ended. */
  endedAt: number;
}

/** A server started under strace. */
export interface TracedServer {
  url: string;
  /** The calls traced so far, in order. */
  calls(): TracedCall[];
  /** Stops the server (SIGTERM to node's own pid, SIGKILL after 10 s) and strace with it. */
  stop(): Promise<void>;
}

/**
 * Starts `src/server/main.ts` under strace on an ephemeral port with the SQLite file `dbPath`;
 * the trace goes to `traceFile`. Syscall filtering by seccomp keeps the slowdown small.
 */
export async function startTracedServer(dbPath: string, traceFile: string): Promise<TracedServer> {
  const child = spawn(
    stracePath!,
    [
      '-f',
      '-qq',
      '--seccomp-bpf',
      '-y',
      '-s',
      '256',
      '-e',
      `trace=${SYSCALLS.join(',')}`,
      '-e',
      'signal=none',
      '-o',
      traceFile,
      '--',
      process.execPath,
      '--import',
      'tsx',
      'src/server/main.ts',
    ],
    {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LIVE_DOCS_DB: dbPath,
        LIVE_DOCS_DEV: '',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await readyPort(child, 60_000);
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    calls: () => parseTrace(readFileSync(traceFile, 'utf8')),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // node is strace's only child; signalling strace itself would detach it, not stop it.
      const node = Number(
        readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0],
      );
      if (node > 0) process.kill(node, 'SIGTERM');
      const bound = setTimeout(() => {
        if (node > 0 && child.exitCode === null) process.kill(node, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(bound);
    },
  };
}

function readyPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  let out = '';
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`traced server not ready in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const match = /ready at http:\/\/localhost:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr!.on('data', (data: Buffer) => {
      out += data.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`traced server exited (${code ?? signal}) before ready:\n${out}`));
    });
  });
}

const CALL = /^(\d+) +([a-z0-9_]+)\((\d+)<([^>]*)>(.*)$/;
const RESUMED = /^(\d+) +<\.\.\. ([a-z0-9_]+) resumed>/;

/** Reads `strace -f -y -o` output; a call split by another thread ends where it resumes. */
export function parseTrace(text: string): TracedCall[] {
  const calls: TracedCall[] = [];
  const open = new Map<string, TracedCall>();
  for (const line of text.split('\n')) {
    const resumed = RESUMED.exec(line);
    if (resumed) {
      const call = open.get(`${resumed[1]}:${resumed[2]}`);
      if (call) call.endedAt = calls.length;
      open.delete(`${resumed[1]}:${resumed[2]}`);
      continue;
    }
    const match = CALL.exec(line);
    if (!match) continue;
    // `endedAt`: how many calls had started when it ended.
    const call: TracedCall = {
      syscall: match[2]!,
      fd: match[4]!,
      args: match[5]!,
      endedAt: calls.length + 1,
    };
    if (line.endsWith('<unfinished ...>')) {
      call.endedAt = Number.POSITIVE_INFINITY;
      open.set(`${match[1]}:${match[2]}`, call);
    }
    calls.push(call);
  }
  return calls;
}
