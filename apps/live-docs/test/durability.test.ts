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
import {
  findStrace,
  startTracedNode,
  type TracedCall,
  type TracedChild,
  unquote,
  unsyncedConfirmations,
} from '@sockkit/testing/strace';
import { afterAll, describe, expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import { insert } from './e2e-fixture.js';
import { tokenOf } from './people.js';

const available = findStrace();
const dir = mkdtempSync(join(tmpdir(), 'live-docs-durability-'));
let server: TracedChild | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const PUSHES = 20;
const isDbFile = (call: TracedCall) => /\/db\.sqlite(-wal)?$/.test(call.fd);

/** Whether a socket write announces version `v`: the push's result or the `doc` fan-out. */
const announces = (call: TracedCall, v: number) => {
  const text = unquote(call.args);
  return (
    text.includes(`"accepted":true,"version":${v}}`) || text.includes(`"type":"updates","since":${v - 1},`)
  );
};

describe.skipIf(!available)('durability in the system calls', () => {
  it('syncs the log to disk before any confirmation of an edit leaves the server', async () => {
    server = await startTracedNode(
      ['--import', 'tsx', 'src/server/main.ts'],
      /ready at http:\/\/localhost:(\d+)/,
      {
        cwd: join(import.meta.dirname, '..'),
        env: {
          PORT: '0',
          HOST: '127.0.0.1',
          LIVE_DOCS_DB: join(dir, 'db.sqlite'),
          LIVE_DOCS_DEV: '',
          REDIS_URL: '',
        },
        traceFile: join(dir, 'trace.txt'),
        timeoutMs: 60_000,
      },
    );
    const url = `ws://127.0.0.1:${server.ready[1]}/ws`;
    const client = createSockkitClient({
      url,
      contract,
      params: () => ({ token: tokenOf('durable') }),
      offline: 'reject',
      reconnect: false,
    });
    const watcher = createSockkitClient({
      url,
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

    // Both the result and the fan-out go out, each in a socket write of its own.
    const versions = Array.from({ length: PUSHES }, (_, i) => i + 1);
    const unsynced = unsyncedConfirmations(server.calls(), versions, announces, isDbFile, 2);
    expect(unsynced, 'versions confirmed before the database file was synced').toEqual([]);
  }, 120_000);
});
