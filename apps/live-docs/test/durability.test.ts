/**
 * Durability seen in the system calls (issue 12): for every edit the server confirms, the
 * database's write-ahead log is synced to disk (fsync/fdatasync) after the edit was written
 * to it and before the confirmation (the call's result, the fan-out) leaves on a socket.
 *
 * The SIGKILL test (crash.test.ts) cannot see a missing sync: a killed process's writes stay
 * in the page cache. This one fails with `synchronous = NORMAL` or `OFF` in WAL mode. The
 * server runs as `npm start` runs it, under strace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSockkitClient } from '@sockkit/client/node';
import { missing } from '@sockkit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import { insert } from './e2e-fixture.js';
import { tokenOf } from './people.js';
import { parseTrace, startTracedServer, straceWorks, type TracedCall, type TracedServer } from './strace.js';

const available =
  straceWorks() ||
  missing('strace', 'strace is not installed or may not trace here (apt-get install strace)');
const dir = mkdtempSync(join(tmpdir(), 'live-docs-durability-'));
let server: TracedServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const PUSHES = 20;
const isDbFile = (call: TracedCall) => /\/db\.sqlite(-wal)?$/.test(call.fd);
const isSync = (call: TracedCall) => call.syscall === 'fsync' || call.syscall === 'fdatasync';
const isWrite = (call: TracedCall) => /^(p?write(64|v|v2)?)$/.test(call.syscall);
const isSend = (call: TracedCall) =>
  call.fd.startsWith('socket:') && /^(write|writev|sendmsg|sendto)$/.test(call.syscall);
const unquote = (args: string) => args.replaceAll('\\"', '"');

/** Whether a socket write announces version `v`: the push's result or the `doc` fan-out. */
const announces = (call: TracedCall, v: number) => {
  const text = unquote(call.args);
  return (
    text.includes(`"accepted":true,"version":${v}}`) || text.includes(`"type":"updates","since":${v - 1},`)
  );
};

describe.skipIf(!available)('durability in the system calls', () => {
  it('syncs the log to disk before any confirmation of an edit leaves the server', async () => {
    server = await startTracedServer(join(dir, 'db.sqlite'), join(dir, 'trace.txt'));
    const client = createSockkitClient({
      url: server.url,
      contract,
      params: () => ({ token: tokenOf('durable') }),
      offline: 'reject',
      reconnect: false,
    });
    const watcher = createSockkitClient({
      url: server.url,
      contract,
      params: () => ({ token: tokenOf('durable') }),
    });
    try {
      await client.ready();
      const { id } = await client.call.createDoc({ title: 'durable' });
      const fanned: number[] = [];
      const sub = watcher.subscribe.doc({ id }, (message) => {
        if (message.type === 'updates') fanned.push(message.since + message.updates.length);
      });
      await sub.ready;
      let text = '';
      for (let version = 0; version < PUSHES; version++) {
        const line = `line ${version}\n`;
        const result = await client.call.pushUpdates({
          id,
          version,
          updates: [{ clientID: 'd', changes: insert(text.length, text.length, line) }],
        });
        expect(result).toEqual({ accepted: true, version: version + 1 });
        text += line;
      }
      await expect.poll(() => fanned.length).toBe(PUSHES);
    } finally {
      await client.close();
      await watcher.close();
    }

    const calls = server.calls();
    const unsynced: string[] = [];
    for (let v = 1; v <= PUSHES; v++) {
      const sends = calls.flatMap((call, i) => (isSend(call) && announces(call, v) ? [i] : []));
      // Both the result and the fan-out went out, each in a socket write of its own.
      expect(sends.length, `confirmations of version ${v}`).toBeGreaterThanOrEqual(2);
      const first = Math.min(...sends);
      const lastWrite = calls.findLastIndex((call, i) => i < first && isWrite(call) && isDbFile(call));
      expect(lastWrite, `version ${v} was written to the database before it was confirmed`).toBeGreaterThan(
        -1,
      );
      const synced = calls.some(
        (call, i) => i > lastWrite && call.endedAt <= first && isSync(call) && isDbFile(call),
      );
      if (!synced) unsynced.push(`version ${v}`);
    }
    expect(unsynced, 'confirmed before the database file was synced').toEqual([]);
  }, 120_000);
});

describe('reading a trace', () => {
  it('orders calls as made and ends a call split by another thread where it resumes', () => {
    const calls = parseTrace(
      [
        '7 pwrite64(19</d/db.sqlite-wal>, "x", 1, 0) = 1',
        '7 fsync(19</d/db.sqlite-wal> <unfinished ...>',
        '8 write(3<pipe:[1]>, "y", 1) = 1',
        '7 <... fsync resumed>) = 0',
        '7 writev(27<socket:[5]>, [{iov_base="{\\"t\\":\\"result\\"}", iov_len=12}], 1) = 12',
        '7 +++ exited with 0 +++',
      ].join('\n'),
    );
    expect(calls.map((c) => [c.syscall, c.fd, c.endedAt])).toEqual([
      ['pwrite64', '/d/db.sqlite-wal', 1],
      ['fsync', '/d/db.sqlite-wal', 3],
      ['write', 'pipe:[1]', 3],
      ['writev', 'socket:[5]', 4],
    ]);
    expect(isSend(calls[3]!) && unquote(calls[3]!.args).includes('{"t":"result"}')).toBe(true);
  });
});
