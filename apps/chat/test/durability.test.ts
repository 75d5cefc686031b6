/**
 * Durable before confirmed, seen in the system calls: for every message the server confirms,
 * SQLite's write-ahead log is synced to disk (fsync/fdatasync) after the message was written
 * to it and before any confirmation (the send's result, the room's and the lobby's fan-out)
 * leaves on a socket.
 *
 * The SIGKILL test (crash.test.ts) cannot see a missing sync: a killed process's writes stay
 * in the page cache. This one fails with `synchronous = NORMAL` in WAL mode. The server runs
 * as `npm run start:chat` runs it, under strace.
 */
import { join } from 'node:path';
import {
  findStrace,
  startTracedNode,
  type TracedCall,
  unquote,
  unsyncedConfirmations,
} from '@sockkit/testing/strace';
import { describe, expect, it } from 'vitest';
import { connectAs, tempDir } from './people.js';

const available = findStrace();
const SENDS = 20;

const isDbFile = (call: TracedCall) => /\/chat\.sqlite(-wal)?$/.test(call.fd);
/** Whether a socket write confirms message `id`: the send's result, or the room's or lobby's fan-out. */
const announces = (call: TracedCall, id: number) => {
  const text = unquote(call.args);
  return text.includes(`"id":${id},"room":"general"`) || text.includes(`"room":"general","id":${id},`);
};

describe.skipIf(!available)('durability in the system calls', { timeout: 120_000 }, () => {
  it('syncs the log to disk before any confirmation of a message leaves the server', async () => {
    const dir = tempDir('durability');
    const server = await startTracedNode(
      ['--import', 'tsx', 'src/server/main.ts'],
      /ready at http:\/\/localhost:(\d+)/,
      {
        cwd: join(import.meta.dirname, '..'),
        env: { PORT: '0', HOST: '127.0.0.1', CHAT_DB: join(dir, 'chat.sqlite'), CHAT_DEV: '', REDIS_URL: '' },
        traceFile: join(dir, 'trace.txt'),
        timeoutMs: 60_000,
      },
    );
    const url = `http://127.0.0.1:${server.ready[1]}`;
    const writer = connectAs(url, 'ada', { offline: 'reject' });
    const reader = connectAs(url, 'bob');
    const ids: number[] = [];
    try {
      const fanned: number[] = [];
      await reader.subscribe.room({ room: 'general' }, ({ message }) => fanned.push(message.id)).ready;
      await reader.subscribe.lobby(undefined, () => undefined).ready;
      for (let i = 0; i < SENDS; i++) {
        const message = await writer.call.send({
          room: 'general',
          key: `durable-${i}`,
          text: `message ${i}`,
        });
        ids.push(message.id);
      }
      await expect.poll(() => fanned.length).toBe(SENDS);
    } finally {
      writer.close();
      reader.close();
      await server.stop();
    }
    // The result, the room's message and the lobby's, each in a socket write of its own.
    expect(
      unsyncedConfirmations(server.calls(), ids, announces, isDbFile, 3),
      'confirmed before synced',
    ).toEqual([]);
  });
});
