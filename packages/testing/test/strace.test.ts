import { describe, expect, it } from 'vitest';
import { isSocketSend, parseTrace, type TracedCall, unquote, unsyncedConfirmations } from '../src/strace.js';

const trace = (lines: string[]) => parseTrace(lines.join('\n'));
const isDb = (call: TracedCall) => call.fd.endsWith('/d/db.sqlite-wal');
const says = (call: TracedCall, n: number) => unquote(call.args).includes(`"n":${n}`);

describe('reading a trace', () => {
  it('orders calls as made and ends a call split by another thread where it resumes', () => {
    const calls = trace([
      '7 pwrite64(19</d/db.sqlite-wal>, "x", 1, 0) = 1',
      '7 fsync(19</d/db.sqlite-wal> <unfinished ...>',
      '8 write(3<pipe:[1]>, "y", 1) = 1',
      '7 <... fsync resumed>) = 0',
      '7 writev(27<socket:[5]>, [{iov_base="{\\"t\\":\\"result\\"}", iov_len=12}], 1) = 12',
      '7 +++ exited with 0 +++',
    ]);
    expect(calls.map((c) => [c.syscall, c.fd, c.endedAt])).toEqual([
      ['pwrite64', '/d/db.sqlite-wal', 1],
      ['fsync', '/d/db.sqlite-wal', 3],
      ['write', 'pipe:[1]', 3],
      ['writev', 'socket:[5]', 4],
    ]);
    expect(isSocketSend(calls[3]!) && unquote(calls[3]!.args).includes('{"t":"result"}')).toBe(true);
  });

  it('finds a confirmation that left before its write was synced, or while the sync was still running', () => {
    const calls = trace([
      '7 pwrite64(19</d/db.sqlite-wal>, "1", 1, 0) = 1',
      '7 fdatasync(19</d/db.sqlite-wal>) = 0',
      '7 write(27<socket:[5]>, "{\\"n\\":1}", 7) = 7',
      '7 pwrite64(19</d/db.sqlite-wal>, "2", 1, 0) = 1',
      '7 write(27<socket:[5]>, "{\\"n\\":2}", 7) = 7',
      '7 fsync(19</d/db.sqlite-wal>) = 0',
      '7 pwrite64(19</d/db.sqlite-wal>, "3", 1, 0) = 1',
      '8 fsync(19</d/db.sqlite-wal> <unfinished ...>',
      '7 write(27<socket:[5]>, "{\\"n\\":3}", 7) = 7',
      '8 <... fsync resumed>) = 0',
    ]);
    expect(unsyncedConfirmations(calls, [1, 2, 3], says, isDb)).toEqual([2, 3]);
    // A trace that cannot prove anything is an error, not a pass.
    expect(() => unsyncedConfirmations(calls, [4], says, isDb)).toThrow(/0 confirmations of change 4/);
    expect(() => unsyncedConfirmations(calls, [1], says, isDb, 2)).toThrow(/1 confirmations/);
    expect(() => unsyncedConfirmations(calls.slice(2), [1], says, isDb)).toThrow(/before any database write/);
  });
});
