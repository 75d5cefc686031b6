/**
 * Who may do what, over real sockets: every procedure and topic for the owner, an editor, a
 * viewer and a stranger; a viewer's push refused on the wire with the database untouched;
 * share links (join, never lowering a role, replaced, revoked); removing someone ends their
 * live subscription at once; document lists reach only the people of a document; identity
 * tokens never travel to others; a database from before owners keeps its documents open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SockkitClient } from '@sockkit/client/node';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type LiveDocsContract } from '../src/contract.js';
import { startLiveDocs } from '../src/server/app.js';
import { CollabAuthority } from '../src/server/authority.js';
import { silentLog } from '../src/server/log.js';
import { DocStore } from '../src/server/store.js';
import { useLiveDocs } from './app-fixture.js';
import { insert } from './e2e-fixture.js';
import { connectAs, tokenOf, userOf } from './people.js';
import { rawSocket } from './raw-socket.js';
import { until } from './socket-editor.js';

const live = useLiveDocs('access');
type Client = SockkitClient<LiveDocsContract>;
const clients: Client[] = [];
const connect = async (name: string) => {
  const client = connectAs(live.url, name);
  clients.push(client);
  await client.ready();
  return client;
};
afterAll(async () => {
  for (const client of clients) await client.close();
});

/** The document as the database file holds it, through a connection of its own. */
function stored(id: string) {
  const store = new DocStore(live.app.store.path);
  try {
    const doc = new CollabAuthority(store).open(id);
    return { ...doc, title: store.access.meta(id, userOf('tester'))?.title };
  } finally {
    store.close();
  }
}

/** A document of `tester` with one line of text, an editor `ed` and a viewer `vi`. */
async function sharedDoc(title: string) {
  const owner = live.client;
  const { id } = await owner.call.createDoc({ title });
  await owner.call.pushUpdates({
    id,
    version: 0,
    updates: [{ clientID: 'o', changes: insert(0, 0, 'hello') }],
  });
  const { token: editLink } = await owner.call.createLink({ id, role: 'editor' });
  const { token: viewLink } = await owner.call.createLink({ id, role: 'viewer' });
  const ed = await connect('ed');
  const vi = await connect('vi');
  expect((await ed.call.joinDoc({ id, token: editLink })).role).toBe('editor');
  expect((await vi.call.joinDoc({ id, token: viewLink })).role).toBe('viewer');
  return { id, ed, vi, editLink, viewLink };
}

describe('roles over the wire', () => {
  it("refuses a viewer's push with an error frame FORBIDDEN, and the database is unchanged", async () => {
    const { id } = await sharedDoc('guarded');
    const before = stored(id);
    const raw = await rawSocket(live.url, { token: tokenOf('vi'), name: 'vi' });
    const changes = insert(5, 5, ' world');
    const refused = {
      pushUpdates: { id, version: before.version, updates: [{ clientID: 'v', changes }] },
      renameDoc: { id, title: 'taken over' },
      restoreVersion: { id, version: 0 },
      deleteDoc: { id },
      createLink: { id, role: 'editor' },
      setAccess: { id, user: userOf('vi'), role: 'editor' },
    };
    for (const [procedure, input] of Object.entries(refused)) {
      const frame = await raw.call(procedure, input);
      expect(frame, procedure).toMatchObject({ t: 'error', e: { code: 'FORBIDDEN' } });
    }
    // The socket is still up and may read.
    expect(await raw.call('openDoc', { id })).toMatchObject({ t: 'result', d: { text: 'hello' } });
    raw.close();
    expect(stored(id)).toEqual(before);
    const db = new Database(live.app.store.path, { readonly: true });
    const count = db.prepare('SELECT count(*) AS n FROM updates WHERE doc_id = ?').get(id) as { n: number };
    db.close();
    expect(count.n).toBe(before.version);

    // The same push from an editor is accepted: the refusal was about the role.
    const editor = await rawSocket(live.url, { token: tokenOf('ed') });
    expect(await editor.call('pushUpdates', refused.pushUpdates)).toMatchObject({
      t: 'result',
      d: { accepted: true },
    });
    editor.close();
    expect(stored(id).text).toBe('hello world');
  });

  it('every procedure and topic: owner, editor, viewer, stranger', async () => {
    const { id, ed, vi } = await sharedDoc('matrix');
    const st = await connect('st');
    const as = { owner: live.client, editor: ed, viewer: vi, stranger: st };
    type Who = keyof typeof as;
    const readers: Who[] = ['owner', 'editor', 'viewer'];
    const writers: Who[] = ['owner', 'editor'];
    const owner: Who[] = ['owner'];
    // Inputs that change nothing when allowed, so every role can try each in turn.
    const calls: Record<keyof LiveDocsContract['server'], [Who[] | 'all', (c: Client) => Promise<unknown>]> =
      {
        me: ['all', (c) => c.call.me()],
        listDocs: ['all', (c) => c.call.listDocs()],
        createDoc: ['all', (c) => c.call.createDoc({ title: 'mine' })],
        openDoc: [readers, (c) => c.call.openDoc({ id })],
        pullUpdates: [readers, (c) => c.call.pullUpdates({ id, since: 0 })],
        listVersions: [readers, (c) => c.call.listVersions({ id })],
        getVersion: [readers, (c) => c.call.getVersion({ id, version: 1, since: 0 })],
        pushUpdates: [
          writers,
          (c) => c.call.pushUpdates({ id, version: 0, updates: [{ clientID: 'm', changes: [[0, 'x']] }] }),
        ],
        renameDoc: [writers, (c) => c.call.renameDoc({ id, title: 'matrix' })],
        restoreVersion: [
          writers,
          async (c) =>
            c.call.restoreVersion({ id, version: (await live.client.call.openDoc({ id })).version }),
        ],
        sharing: [owner, (c) => c.call.sharing({ id })],
        createLink: [owner, (c) => c.call.createLink({ id, role: 'viewer' })],
        revokeLink: [owner, (c) => c.call.revokeLink({ id, role: 'editor' })],
        setAccess: [owner, (c) => c.call.setAccess({ id, user: userOf('ed'), role: 'editor' })],
        claimDoc: ['all', (c) => c.call.claimDoc({ id })],
        deleteDoc: [owner, (c) => (c === live.client ? Promise.resolve() : c.call.deleteDoc({ id }))],
        // Last: whoever holds a link may join, the stranger too (it is what links are for).
        joinDoc: [
          'all',
          async (c) => c.call.joinDoc({ id, token: (await live.client.call.sharing({ id })).links.viewer! }),
        ],
      };
    expect(Object.keys(calls).sort()).toEqual(Object.keys(contract.server).sort());
    const outcome = async (call: () => Promise<unknown>) =>
      call().then(
        () => 'allowed',
        (error: { code?: string }) => (error.code === 'FORBIDDEN' ? 'FORBIDDEN' : `allowed (${error.code})`),
      );
    const seen: Record<string, Record<Who, string>> = {};
    const expected: Record<string, Record<Who, string>> = {};
    for (const [procedure, [allowed, call]] of Object.entries(calls)) {
      seen[procedure] = {} as Record<Who, string>;
      expected[procedure] = {} as Record<Who, string>;
      for (const who of Object.keys(as) as Who[]) {
        const result = await outcome(() => call(as[who]));
        const may = allowed === 'all' || allowed.includes(who);
        seen[procedure][who] = result.startsWith('allowed') ? 'allowed' : result;
        expected[procedure][who] = may ? 'allowed' : 'FORBIDDEN';
      }
    }
    // The stranger joined as a viewer through the link above; take that back for the topics.
    await live.client.call.setAccess({ id, user: userOf('st'), role: null });
    expect(seen).toEqual(expected);

    const topics = async (c: Client, user: string) => {
      const results: string[] = [];
      for (const ready of [
        () => c.subscribe.doc({ id }).ready,
        () => c.subscribe.cursors({ id }).ready,
        () => c.subscribe.docs({ user }).ready,
        () =>
          c.publish.cursors(
            { id },
            { clientID: 'c', name: 'n', color: '#000000', anchor: 0, head: 0, version: 0 },
          ),
      ]) {
        results.push(await outcome(ready));
      }
      return results;
    };
    expect(await topics(live.client, userOf('tester'))).toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
    expect(await topics(ed, userOf('ed'))).toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
    expect(await topics(vi, userOf('vi'))).toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
    expect(await topics(st, userOf('st'))).toEqual(['FORBIDDEN', 'FORBIDDEN', 'allowed', 'FORBIDDEN']);
    // Nobody may follow someone else's list.
    await expect(ed.subscribe.docs({ user: userOf('tester') }).ready).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

describe('share links', () => {
  it('join with the link role, never lower a role, and stop working when replaced or revoked', async () => {
    const { id, ed, vi, editLink, viewLink } = await sharedDoc('links');
    // An editor opening the view link stays an editor; a viewer opening the edit link becomes one.
    expect((await ed.call.joinDoc({ id, token: viewLink })).role).toBe('editor');
    const newcomer = await connect('newcomer');
    const list: string[] = [];
    const sub = newcomer.subscribe.docs({ user: userOf('newcomer') }, (m) => {
      list.push(m.type === 'upsert' ? `upsert ${m.doc.title} ${m.doc.role}` : `${m.type} ${m.id}`);
    });
    await sub.ready;
    expect((await newcomer.call.listDocs()).map((d) => d.id)).not.toContain(id);
    await newcomer.call.joinDoc({ id, token: viewLink });
    expect((await newcomer.call.listDocs()).find((d) => d.id === id)?.role).toBe('viewer');
    await until(() => list.length === 1, 'the joined document on the list');
    expect(list).toEqual(['upsert links viewer']);

    // A new edit link replaces the old one; a revoked view link admits nobody new.
    const { token: fresh } = await live.client.call.createLink({ id, role: 'editor' });
    expect(fresh).not.toBe(editLink);
    await expect(vi.call.joinDoc({ id, token: editLink })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await live.client.call.revokeLink({ id, role: 'viewer' })).toEqual({ revoked: true });
    const late = await connect('late');
    await expect(late.call.joinDoc({ id, token: viewLink })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A link of one document opens no other.
    const { id: other } = await live.client.call.createDoc({ title: 'other' });
    await expect(late.call.joinDoc({ id: other, token: fresh })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await vi.call.joinDoc({ id, token: fresh })).role).toBe('editor');

    const sharing = await live.client.call.sharing({ id });
    expect(sharing.links).toEqual({ editor: fresh, viewer: null });
    expect(sharing.people.map((p) => [p.name, p.role])).toEqual([
      ['ed', 'editor'],
      ['vi', 'editor'],
      ['newcomer', 'viewer'],
    ]);
    sub.unsubscribe();
  });

  it('removing someone ends their subscription at once; changing a role reaches their page', async () => {
    const { id, vi } = await sharedDoc('removal');
    const raw = await rawSocket(live.url, { token: tokenOf('vi') });
    const docChannel = (await raw.subscribe('doc', { id })) as { c?: string };
    expect(docChannel).toMatchObject({ t: 'subscribed' });
    const listed: string[] = [];
    const list = vi.subscribe.docs({ user: userOf('vi') }, (m) =>
      listed.push(m.type === 'upsert' ? `upsert ${m.doc.role}` : m.type),
    );
    await list.ready;

    await live.client.call.setAccess({ id, user: userOf('vi'), role: 'editor' });
    await until(() => listed.length === 1, 'the new role on the list');
    expect(listed).toEqual(['upsert editor']);

    await live.client.call.setAccess({ id, user: userOf('vi'), role: null });
    await raw.next((f) => f.t === 'unsubscribed' && f.c === docChannel.c, 'unsubscribed');
    await until(() => listed.length === 2, 'the removal on the list');
    expect(listed[1]).toBe('removed');
    const { version } = await live.client.call.openDoc({ id });
    await live.client.call.pushUpdates({
      id,
      version,
      updates: [{ clientID: 'o', changes: insert(5, 5, '!') }],
    });
    expect(await raw.call('pullUpdates', { id, since: 0 })).toMatchObject({ e: { code: 'FORBIDDEN' } });
    expect(await raw.subscribe('doc', { id })).toMatchObject({ t: 'error', e: { code: 'FORBIDDEN' } });
    // Nothing of the document reached the removed socket after it was unsubscribed.
    const cut = raw.frames.findIndex((f) => f.t === 'unsubscribed');
    expect(raw.frames.slice(cut).filter((f) => f.t === 'msg' && f.c === docChannel.c)).toEqual([]);
    raw.close();
    await expect(
      live.client.call.setAccess({ id, user: userOf('tester'), role: null }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    list.unsubscribe();
  });
});

describe('lists and identity', () => {
  it('a document list shows and announces only what its person may open', async () => {
    const { id, ed } = await sharedDoc('private list');
    const st = await connect('st2');
    const heard: Record<string, string[]> = { ed: [], st: [] };
    const subs = [
      ed.subscribe.docs({ user: userOf('ed') }, (m) =>
        heard.ed!.push(m.type === 'upsert' ? m.doc.title : m.type),
      ),
      st.subscribe.docs({ user: userOf('st2') }, (m) =>
        heard.st!.push(m.type === 'upsert' ? m.doc.title : m.type),
      ),
    ];
    await Promise.all(subs.map((s) => s.ready));
    await ed.call.renameDoc({ id, title: 'renamed by ed' });
    await live.client.call.deleteDoc({ id });
    await until(() => heard.ed!.length === 2, 'the rename and the deletion on the editor list');
    expect(heard.ed).toEqual(['renamed by ed', 'deleted']);
    expect((await st.call.listDocs()).map((d) => d.id)).not.toContain(id);
    expect(heard.st).toEqual([]);
    for (const sub of subs) sub.unsubscribe();
  });

  it('refuses a connection without a usable token, and shows others only a key derived from it', async () => {
    for (const params of [undefined, { user: 'old-style' }, { token: 'short' }, { token: 'x'.repeat(129) }]) {
      await expect(rawSocket(live.url, params)).rejects.toThrow(/closed 4001/);
    }
    const { id, ed } = await sharedDoc('presence');
    const sub = ed.subscribe.doc({ id }, undefined, {
      presence: { name: 'ed', color: '#123456', clientID: 'e' },
    });
    await sub.ready;
    const watcher = live.client.subscribe.doc({ id });
    await watcher.ready;
    const keys = [...watcher.presence.values()].map((m) => m.user);
    expect(keys).toEqual([userOf('ed')]);
    expect(keys[0]).not.toContain(tokenOf('ed'));
    expect(await ed.call.me()).toEqual({ user: userOf('ed'), name: 'ed' });
    sub.unsubscribe();
    watcher.unsubscribe();
  });
});

describe('a database from before owners', () => {
  const dir = mkdtempSync(join(tmpdir(), 'live-docs-legacy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let url = '';
  let close = async () => {};
  beforeAll(async () => {
    // The first release's schema, with one document and two updates.
    const db = new Database(join(dir, 'old.sqlite'));
    db.exec(`
      CREATE TABLE docs (id TEXT PRIMARY KEY, title TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE updates (doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE, version INTEGER NOT NULL, client_id TEXT NOT NULL, changes TEXT NOT NULL, PRIMARY KEY (doc_id, version)) WITHOUT ROWID;
      CREATE TABLE snapshots (doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE, version INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (doc_id, version)) WITHOUT ROWID;
      INSERT INTO docs VALUES ('old', 'Old notes', 2, 1000, 2000);
      INSERT INTO snapshots VALUES ('old', 0, 'a');
      INSERT INTO updates VALUES ('old', 1, 'c', '[1,[0,"b"]]'), ('old', 2, 'c', '[2,[0,"c"]]');
    `);
    db.close();
    const app = await startLiveDocs({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'old.sqlite'),
      log: silentLog,
    });
    url = `ws://127.0.0.1:${app.port}/ws`;
    close = () => app.close();
  });
  afterAll(() => close());

  it('keeps its documents open to everyone until someone claims one', async () => {
    const anne = connectAs(url, 'anne');
    const bert = connectAs(url, 'bert');
    await Promise.all([anne.ready(), bert.ready()]);
    try {
      expect(await anne.call.listDocs()).toMatchObject([{ id: 'old', owner: null, role: 'editor' }]);
      expect(await bert.call.openDoc({ id: 'old' })).toMatchObject({ text: 'abc', version: 2 });
      const { versions } = await bert.call.listVersions({ id: 'old' });
      expect(versions.map((v) => [v.version, v.author])).toEqual([
        [2, null],
        [0, null],
      ]);
      await expect(bert.call.deleteDoc({ id: 'old' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/claim/),
      });
      expect(await anne.call.claimDoc({ id: 'old' })).toMatchObject({
        role: 'owner',
        owner: { user: userOf('anne') },
      });
      await expect(bert.call.claimDoc({ id: 'old' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(bert.call.openDoc({ id: 'old' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await bert.call.listDocs()).toEqual([]);
    } finally {
      await anne.close();
      await bert.close();
    }
  });
});
