/**
 * History over real sockets: who changed what (an author per update, runs grouped by person
 * and pauses), the text at every version from the nearest snapshot with bounded replay, what
 * one entry inserted and deleted, paging, and restoring a version as a new edit that reaches
 * every open editor (also one with edits of its own in flight) and is itself in the history.
 */
import { ChangeSet, Text } from '@codemirror/state';
import type { SockkitClient } from '@sockkit/client/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveDocsContract, WireUpdate } from '../src/contract.js';
import { IDLE_GAP_MS, restoreChanges } from '../src/server/history.js';
import { useLiveDocs } from './app-fixture.js';
import { insert } from './e2e-fixture.js';
import { connectAs, userOf } from './people.js';
import { SocketEditor, until } from './socket-editor.js';

let clock = Date.UTC(2026, 0, 5, 9, 0);
const MINUTE = 60_000;
const live = useLiveDocs('history', { snapshotEvery: 7, limits: { maxInsertChars: 1000 }, now: () => clock });

type Client = SockkitClient<LiveDocsContract>;
const people: Record<string, Client> = {};
let id = '';
let editLink = '';

beforeAll(async () => {
  ({ id } = await live.client.call.createDoc({ title: 'history' }));
  ({ token: editLink } = await live.client.call.createLink({ id, role: 'editor' }));
  for (const name of ['alice', 'bob']) {
    people[name] = connectAs(live.url, name);
    await people[name].ready();
    await people[name].call.joinDoc({ id, token: editLink });
  }
});
afterAll(async () => {
  for (const client of Object.values(people)) await client.close();
});

/** Appends `text` at the end as `who`, at the current clock; returns the new text. */
async function append(who: Client, text: string): Promise<string> {
  const doc = await who.call.openDoc({ id });
  const result = await who.call.pushUpdates({
    id,
    version: doc.version,
    updates: [{ clientID: 'h', changes: insert(doc.text.length, doc.text.length, text) }],
  });
  expect(result.accepted).toBe(true);
  return doc.text + text;
}

const asText = (text: string) => Text.of(text.split('\n'));

describe('versions', () => {
  /** The text after each version, by version. */
  const texts: string[] = [''];

  it('records who made each update and groups them by person and pause', async () => {
    const alice = people.alice!;
    const bob = people.bob!;
    const created = clock;
    for (let i = 0; i < 3; i++) {
      clock += MINUTE;
      texts.push(await append(alice, `alice ${i}\n`));
    }
    for (let i = 0; i < 2; i++) {
      clock += MINUTE;
      texts.push(await append(bob, `bob ${i}\n`));
    }
    clock += MINUTE;
    texts.push(await append(alice, 'alice again\n'));
    clock += IDLE_GAP_MS + 1;
    texts.push(await append(alice, 'alice after a pause\n'));
    clock += IDLE_GAP_MS; // exactly the gap: still the same entry
    texts.push(await append(alice, 'and more\n'));

    const { versions, next } = await bob.call.listVersions({ id });
    expect(next).toBeNull();
    const summary = versions.map((v) => [v.author?.name, v.since, v.version, v.edits]);
    expect(summary).toEqual([
      ['alice', 6, 8, 2],
      ['alice', 5, 6, 1],
      ['bob', 3, 5, 2],
      ['alice', 0, 3, 3],
      ['tester', 0, 0, 0],
    ]);
    expect(versions[0]).toMatchObject({
      author: { user: userOf('alice') },
      from: clock - IDLE_GAP_MS,
      to: clock,
    });
    expect(versions.at(-1)).toMatchObject({ from: created, to: created, restoredFrom: null });
  });

  it('gives the text at every version, replaying at most one snapshot interval', async () => {
    const { version } = await live.client.call.openDoc({ id });
    expect(version).toBe(texts.length - 1);
    let most = 0;
    for (let v = 0; v <= version; v++) {
      expect((await people.bob!.call.getVersion({ id, version: v })).text).toBe(texts[v]);
      const { replayed } = live.app.history.textAt(id, v);
      most = Math.max(most, replayed);
    }
    // snapshotEvery is 7 and every push here holds one update.
    expect(most).toBeLessThanOrEqual(6);
    expect(most).toBeGreaterThan(0);
    await expect(people.bob!.call.getVersion({ id, version: version + 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('says what one entry inserted and deleted, as the inverse change set', async () => {
    const { text, inverse } = await people.bob!.call.getVersion({ id, version: 5, since: 3 });
    expect(text).toBe(texts[5]);
    const back = ChangeSet.fromJSON(inverse);
    expect(back.apply(asText(text)).toString()).toBe(texts[3]);
    const inserted: string[] = [];
    back.iterChanges((fromA, toA) => inserted.push(text.slice(fromA, toA)));
    expect(inserted).toEqual(['bob 0\nbob 1\n']);
    await expect(people.bob!.call.getVersion({ id, version: 3, since: 5 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('pages a long history without gaps or overlaps', async () => {
    const { id: long } = await people.alice!.call.createDoc({ title: 'long' });
    const { token } = await people.alice!.call.createLink({ id: long, role: 'editor' });
    await people.bob!.call.joinDoc({ id: long, token });
    let version = 0;
    let length = 0;
    for (let i = 0; i < 230; i++) {
      const who = i % 2 === 0 ? people.alice! : people.bob!;
      const result = await who.call.pushUpdates({
        id: long,
        version,
        updates: [{ clientID: 'p', changes: insert(length, length, 'x') }],
      });
      version = result.version;
      length++;
    }
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    do {
      const page = await people.bob!.call.listVersions({
        id: long,
        ...(before === undefined ? {} : { before }),
      });
      pages++;
      for (const v of page.versions) {
        if (v.edits > 0) expect(v.since).toBe(v.version - v.edits);
        seen.push(v.version);
      }
      before = page.next ?? undefined;
    } while (before !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 231 }, (_, i) => 230 - i));
  });
});

describe('restore', () => {
  it('brings a version back as an edit every open editor receives, and keeps it in history', async () => {
    const { id: doc } = await live.client.call.createDoc({ title: 'restore' });
    const { token } = await live.client.call.createLink({ id: doc, role: 'editor' });
    const alice = await SocketEditor.open(live.url, doc, 'alice', token);
    const bob = await SocketEditor.open(live.url, doc, 'bob', token);
    try {
      alice.edit(0, 0, '# Plan\n\nfirst draft\n');
      await until(() => alice.sync.unconfirmed === 0 && bob.text === alice.text, 'the draft everywhere');
      const draft = alice.text;
      const draftVersion = alice.sync.version;
      alice.dispatch(
        alice.state.update({ changes: { from: 0, to: alice.state.doc.length, insert: 'scrapped' } }),
      );
      alice.sync.changed();
      await until(() => alice.sync.unconfirmed === 0 && bob.text === 'scrapped', 'the rewrite everywhere');

      // Bob types while the restore happens: his edit survives it.
      bob.edit(1, 0, ' (bob)');
      bob.sync.changed();
      const result = await people.alice!.call.restoreVersion({ id: doc, version: draftVersion });
      expect(result.restored).toBe(true);
      await until(
        () => alice.sync.unconfirmed === 0 && bob.sync.unconfirmed === 0 && alice.text === bob.text,
        'both editors to converge after the restore',
      );
      expect(alice.text).toContain('first draft');
      expect((await live.client.call.openDoc({ id: doc })).text).toBe(alice.text);
      expect(alice.text.replace(' (bob)', '')).toBe(draft);

      const { versions } = await live.client.call.listVersions({ id: doc });
      const restore = versions.find((v) => v.restoredFrom !== null)!;
      expect(restore).toMatchObject({ restoredFrom: draftVersion, author: { name: 'alice' } });
      // The restore is a version like any other: restoring what was before it undoes it.
      const undo = await people.bob!.call.restoreVersion({ id: doc, version: restore.since });
      expect(undo.restored).toBe(true);
      await until(
        () => alice.text === bob.text && !alice.text.includes('first draft'),
        'the undo everywhere',
      );
      // Restoring the text it already has changes nothing.
      const { version } = await live.client.call.openDoc({ id: doc });
      expect(await live.client.call.restoreVersion({ id: doc, version })).toEqual({
        restored: false,
        version,
      });
      expect(alice.fatal).toEqual([]);
      expect(bob.fatal).toEqual([]);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('splits a large restore into updates within the per-push insert limit', async () => {
    const big = Array.from({ length: 120 }, (_, i) => `line ${i} of the long document`).join('\n');
    const { id: doc } = await live.client.call.createDoc({ title: 'large restore' });
    let version = 0;
    for (let at = 0; at < big.length; at += 900) {
      const piece = big.slice(at, at + 900);
      const updates = [{ clientID: 'l', changes: insert(at, at, piece) }];
      ({ version } = await live.client.call.pushUpdates({ id: doc, version, updates }));
    }
    expect((await live.client.call.openDoc({ id: doc })).text).toBe(big);
    const full = version;
    await live.client.call.pushUpdates({
      id: doc,
      version,
      updates: [{ clientID: 'l', changes: [[big.length]] }],
    });
    const watcher = await SocketEditor.open(live.url, doc, 'tester');
    try {
      const result = await live.client.call.restoreVersion({ id: doc, version: full });
      expect(result).toMatchObject({ restored: true });
      const pulled = await live.client.call.pullUpdates({ id: doc, since: full + 1 });
      expect(pulled.updates.length).toBe(Math.ceil(big.length / 1000));
      for (const update of pulled.updates) expect(insertedBy(update)).toBeLessThanOrEqual(1000);
      await until(() => watcher.text === big, 'the watcher to get the restored text');
    } finally {
      await watcher.close();
    }
  });
});

const insertedBy = (update: WireUpdate) => {
  let n = 0;
  ChangeSet.fromJSON(update.changes).iterChanges((_a, _b, _c, _d, text) => {
    n += text.length;
  });
  return n;
};

describe('restoreChanges', () => {
  const textish = fc
    .array(fc.constantFrom('a', 'b', 'c', '\n', ' ', '\u{1F600}', 'é', 'xyz\n'), { maxLength: 60 })
    .map((parts) => parts.join(''));

  it('turns any text into any other, no change set inserting more than the limit', () => {
    fc.assert(
      fc.property(textish, textish, fc.integer({ min: 2, max: 12 }), (from, to, limit) => {
        let text = asText(from);
        for (const set of restoreChanges(text, to, limit)) {
          let inserted = 0;
          set.iterChanges((_a, _b, _c, _d, t) => {
            inserted += t.length;
          });
          expect(inserted).toBeLessThanOrEqual(limit);
          text = set.apply(text);
        }
        expect(text.toString()).toBe(to);
      }),
      { numRuns: 500 },
    );
  });
});
