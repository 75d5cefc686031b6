/**
 * A Node server as a child process under `strace`, and the trace read back as an ordered list
 * of the calls that matter for durability: writes and syncs of files, and writes to sockets.
 * A process killed with SIGKILL keeps its writes in the page cache, so only the system calls
 * show whether a confirmed change reached the disk before the confirmation left.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { type Child, type StartOptions, startProcess } from './processes.js';
import { missing } from './services.js';

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

/** Whether strace works here; if not, says so loudly (and fails under SOCKKIT_REQUIRE_ALL=1). */
export function findStrace(): boolean {
  return (
    straceWorks() ||
    missing('strace', 'strace is not installed or may not trace here (apt-get install strace)')
  );
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
  /** The traced arguments, strace-escaped (a `"` reads `\"`), cut at 256 bytes of data. */
  args: string;
  /** How many calls of the trace had started when this one ended. */
  endedAt: number;
}

/** A Node process started under strace. */
export interface TracedChild extends Child {
  /** The calls traced so far, in order. */
  calls(): TracedCall[];
}

/**
 * Runs `node args` under strace (its writes, syncs and socket sends into `traceFile`) and
 * resolves once it prints `readyPattern`. `stop` signals node, not strace, which passes no
 * signal on. Syscall filtering by seccomp keeps the slowdown small.
 */
export async function startTracedNode(
  args: string[],
  readyPattern: RegExp,
  options: StartOptions & { traceFile: string },
): Promise<TracedChild> {
  if (!stracePath) throw new Error('strace is not installed');
  const straceArgs = ['-f', '-qq', '--seccomp-bpf', '-y', '-s', '256', '-e', `trace=${SYSCALLS.join(',')}`];
  const child = await startProcess(
    stracePath,
    [...straceArgs, '-e', 'signal=none', '-o', options.traceFile, '--', process.execPath, ...args],
    readyPattern,
    // node is strace's only child.
    {
      ...options,
      signalled: (pid) => Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ')[0]),
    },
  );
  return Object.assign(child, { calls: () => parseTrace(readFileSync(options.traceFile, 'utf8')) });
}

/** Whether a traced call writes to a socket. */
export const isSocketSend = (call: TracedCall) =>
  call.fd.startsWith('socket:') && /^(write|writev|sendmsg|sendto)$/.test(call.syscall);
/** Whether a traced call writes to a file. */
export const isFileWrite = (call: TracedCall) => /^(p?write(64|v|v2)?)$/.test(call.syscall);
/** Whether a traced call syncs a file to disk. */
export const isSync = (call: TracedCall) => call.syscall === 'fsync' || call.syscall === 'fdatasync';
/** A traced call's arguments with strace's quote escapes undone. */
export const unquote = (args: string) => args.replaceAll('\\"', '"');

/**
 * The confirmations that left before their change was synced: for each change, `announces`
 * finds the socket writes that confirm it; the last write to a file `isDbFile` accepts before
 * the first of them must be followed by a sync of such a file that ended before it. Returns the
 * changes that fail, and throws when a change has fewer than `minSends` confirmations or no
 * file write before them (the trace would then prove nothing).
 */
export function unsyncedConfirmations<T>(
  calls: readonly TracedCall[],
  changes: readonly T[],
  announces: (call: TracedCall, change: T) => boolean,
  isDbFile: (call: TracedCall) => boolean,
  minSends = 1,
): T[] {
  const unsynced: T[] = [];
  for (const change of changes) {
    const sends = calls.flatMap((call, i) => (isSocketSend(call) && announces(call, change) ? [i] : []));
    if (sends.length < minSends) {
      throw new Error(
        `${sends.length} confirmations of change ${String(change)} traced, expected ${minSends}`,
      );
    }
    const first = Math.min(...sends);
    const lastWrite = calls.findLastIndex((call, i) => i < first && isFileWrite(call) && isDbFile(call));
    if (lastWrite === -1) throw new Error(`change ${String(change)} was confirmed before any database write`);
    const synced = calls.some(
      (call, i) => i > lastWrite && call.endedAt <= first && isSync(call) && isDbFile(call),
    );
    if (!synced) unsynced.push(change);
  }
  return unsynced;
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
