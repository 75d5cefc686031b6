/**
 * Durability: a server killed with SIGKILL and started again on the same SQLite file has
 * every update it confirmed. The server runs as a child process (tsx), as `npm start` would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeSet } from '@codemirror/state';
import { createSockkitClient } from '@sockkit/client/node';
import type { Child } from '@sockkit/testing';
import { afterAll, expect, it } from 'vitest';
import { contract, type WireUpdate } from '../src/contract.js';
import { type LiveDocsProcess, spawnLiveDocs } from './app-fixture.js';
import { tokenOf } from './people.js';

const dir = mkdtempSync(join(tmpdir(), 'live-docs-crash-'));
const children: Child[] = [];
afterAll(async () => {
  for (const child of children) await child.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startServer(): Promise<LiveDocsProcess> {
  const started = await spawnLiveDocs(join(dir, 'db.sqlite'));
  children.push(started.child);
  return started;
}

/** A change set inserting `text` at `at` into a document of `length`, in wire form. */
const insert = (length: number, at: number, text: string) =>
  ChangeSet.of({ from: at, insert: text }, length).toJSON() as WireUpdate['changes'];

const connect = (url: string) =>
  createSockkitClient({
    url,
    contract,
    params: () => ({ token: tokenOf('crash') }),
    offline: 'reject',
    reconnect: false,
  });

it('loses no confirmed update when killed with SIGKILL', async () => {
  const first = await startServer();
  const client = connect(first.url);
  await client.ready();
  const { id } = await client.call.createDoc({ title: 'durable' });
  let text = '';
  let version = 0;
  for (let i = 0; i < 40; i++) {
    const line = `line ${i}\n`;
    const result = await client.call.pushUpdates({
      id,
      version,
      updates: [{ clientID: 'c', changes: insert(text.length, text.length, line) }],
    });
    expect(result.accepted).toBe(true);
    text += line;
    version = result.version;
  }
  // More pushes in flight when the process dies: they may or may not have landed.
  for (let i = 0; i < 5; i++) {
    void client.call
      .pushUpdates({
        id,
        version: version + i,
        updates: [{ clientID: 'c', changes: [text.length + i, [0, '!']] }],
      })
      .catch(() => {});
  }
  await first.child.stop('SIGKILL');
  await client.close();

  const second = await startServer();
  const again = connect(second.url);
  await again.ready();
  const reopened = await again.call.openDoc({ id });
  expect(reopened.version).toBeGreaterThanOrEqual(version);
  expect(reopened.text.startsWith(text)).toBe(true);
  expect(reopened.text.slice(text.length)).toMatch(/^!*$/);
  await again.close();
  await second.child.stop('SIGTERM');
});
