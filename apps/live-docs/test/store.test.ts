/**
 * The SQLite store and the authority on it: conditional appends, snapshots that keep opening
 * a long-edited document to the newest snapshot plus a short tail, and reopening from disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeSet } from '@codemirror/state';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { WireUpdate } from '../src/contract.js';
import { CollabAuthority } from '../src/server/authority.js';
import { DocStore } from '../src/server/store.js';

const dir = mkdtempSync(join(tmpdir(), 'live-docs-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const append = (length: number, text: string): WireUpdate => ({
  clientID: 'w',
  changes: ChangeSet.of({ from: length, insert: text }, length).toJSON() as WireUpdate['changes'],
});

describe('DocStore', () => {
  it('appends only at the stored version', () => {
    const store = new DocStore(join(dir, 'cas.sqlite'));
    const { id } = store.createDoc('t');
    const update = { clientID: 'a', changes: '[[0,"x"]]' };
    expect(store.append(id, 0, [update])).toBe(true);
    expect(store.append(id, 0, [update])).toBe(false); // a second writer at version 0 loses
    expect(store.version(id)).toBe(1);
    expect(store.append('missing', 0, [update])).toBe(false);
    store.close();
  });

  it('snapshots periodically, so a load reads the newest snapshot and a short tail', () => {
    const path = join(dir, 'snap.sqlite');
    const store = new DocStore(path, { synchronous: 'NORMAL' });
    const authority = new CollabAuthority(store, { snapshotEvery: 50 });
    const { id } = store.createDoc('long', 'start\n');
    let text = 'start\n';
    for (let i = 0; i < 1234; i++) {
      const line = `line ${i}\n`;
      const result = authority.push(id, i, [append(text.length, line)]);
      expect(result.accepted).toBe(true);
      text += line;
    }
    const loaded = store.load(id)!;
    expect(loaded.snapshotVersion).toBe(1200);
    expect(loaded.tail).toHaveLength(34);
    store.close();

    const reopened = new DocStore(path);
    const cold = new CollabAuthority(reopened);
    expect(cold.open(id)).toMatchObject({ version: 1234, text });
    // The full log stays: a client far behind still catches up page by page.
    const first = cold.pull(id, 0);
    expect(first.more).toBe(true);
    expect(first.updates).toHaveLength(1000);
    reopened.close();
  });

  it('keeps a lone surrogate in a snapshot, so the log still fits the text after a reopen', () => {
    const path = join(dir, 'surrogate.sqlite');
    const store = new DocStore(path);
    const authority = new CollabAuthority(store, { snapshotEvery: 2 });
    const { id } = store.createDoc('emoji', 'plain');
    // Insert an emoji, then delete its first half: the text holds half a surrogate pair.
    expect(authority.push(id, 0, [append(5, ' \u{1F600}')]).accepted).toBe(true);
    const split = { clientID: 'w', changes: [6, [1], 1] as WireUpdate['changes'] };
    expect(authority.push(id, 1, [split]).accepted).toBe(true);
    expect(authority.push(id, 2, [append(7, '!')]).accepted).toBe(true);
    const text = 'plain \uDE00!';
    expect(authority.open(id).text).toBe(text);
    store.close();

    const raw = new Database(path, { readonly: true });
    const types = raw
      .prepare('SELECT version, typeof(text) AS type FROM snapshots WHERE doc_id = ? ORDER BY version')
      .all(id);
    raw.close();
    // Version 0 ('plain') stays readable TEXT; the snapshot holding half a pair is a BLOB.
    expect(types).toEqual([
      { version: 0, type: 'text' },
      { version: 2, type: 'blob' },
    ]);
    const reopened = new DocStore(path);
    expect(new CollabAuthority(reopened).open(id)).toMatchObject({ version: 3, text });
    // Well-formed text stays readable TEXT.
    const { id: plain } = reopened.createDoc('plain', 'caf\u00e9 \u{1F600}');
    expect(reopened.load(plain)?.snapshotText).toBe('caf\u00e9 \u{1F600}');
    reopened.close();
  });

  it('a node whose cache is stale catches up from the shared file and rejects for rebase', () => {
    const path = join(dir, 'shared.sqlite');
    const nodeA = new CollabAuthority(new DocStore(path));
    const nodeB = new CollabAuthority(new DocStore(path));
    const { id } = nodeA.store.createDoc('shared');
    expect(nodeA.open(id).version).toBe(0);
    expect(nodeB.open(id).version).toBe(0);
    expect(nodeA.push(id, 0, [append(0, 'from A')]).accepted).toBe(true);
    // B still has version 0 cached; the store says 1, so B's push based on 0 is stale.
    expect(nodeB.push(id, 0, [append(0, 'from B')])).toMatchObject({ accepted: false, version: 1 });
    expect(nodeB.push(id, 1, [append(6, ' and B')]).accepted).toBe(true);
    expect(nodeA.open(id).text).toBe('from A and B');
    nodeA.store.close();
    nodeB.store.close();
  });

  it('deleting a document removes its log and snapshots', () => {
    const store = new DocStore(join(dir, 'delete.sqlite'));
    const { id } = store.createDoc('gone', 'text');
    expect(store.deleteDoc(id)).toBe(true);
    expect(store.load(id)).toBeUndefined();
    expect(store.updatesAfter(id, 0, 10)).toEqual([]);
    expect(store.deleteDoc(id)).toBe(false);
    store.close();
  });
});
