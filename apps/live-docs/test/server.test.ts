/**
 * The live-docs server over real sockets: document CRUD, the sync procedures, and bad input
 * (a version from the future, malformed or misfitting change sets, an unknown document, a
 * paste above the limit), each refused with a clear code and the document left intact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { WireUpdate } from '../src/contract.js';
import { useLiveDocs } from './app-fixture.js';
import { userOf } from './people.js';
import { SocketEditor, until } from './socket-editor.js';

const live = useLiveDocs('server', { limits: { maxInsertChars: 1000 } });

describe('documents', () => {
  it('creates, lists, renames and deletes, announcing each on the docs topic', async () => {
    const seen: string[] = [];
    const sub = live.client.subscribe.docs({ user: userOf('tester') }, (message) => {
      seen.push(message.type === 'upsert' ? `upsert ${message.doc.title}` : `${message.type} ${message.id}`);
    });
    await sub.ready;
    const doc = await live.client.call.createDoc({ title: '  Notes ' });
    expect(doc.title).toBe('Notes');
    expect((await live.client.call.listDocs()).map((d) => d.id)).toContain(doc.id);
    expect((await live.client.call.renameDoc({ id: doc.id, title: 'Renamed' })).title).toBe('Renamed');
    await live.client.call.deleteDoc({ id: doc.id });
    await until(() => seen.length === 3, 'three announcements');
    expect(seen).toEqual(['upsert Notes', 'upsert Renamed', `deleted ${doc.id}`]);
    await expect(live.client.call.openDoc({ id: doc.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    sub.unsubscribe();
  });

  it('refuses an empty title and an invalid id as BAD_REQUEST', async () => {
    await expect(live.client.call.createDoc({ title: '   ' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(live.client.call.openDoc({ id: '../etc' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('sync procedures', () => {
  it('two editors converge through push, fan-out and rebase', async () => {
    const { id } = await live.client.call.createDoc({ title: 'pair' });
    const { token } = await live.client.call.createLink({ id, role: 'editor' });
    const a = await SocketEditor.open(live.url, id, 'a', token);
    const b = await SocketEditor.open(live.url, id, 'b', token);
    a.edit(0, 0, 'hello ');
    b.edit(0, 0, 'world');
    await until(
      () => a.text === b.text && a.sync.unconfirmed === 0 && b.sync.unconfirmed === 0,
      'convergence',
    );
    expect(a.text.length).toBe(11);
    expect((await live.client.call.openDoc({ id })).text).toBe(a.text);
    await Promise.all([a.close(), b.close()]);
  });

  describe('bad input never corrupts the document', () => {
    let id: string;
    let version: number;
    beforeAll(async () => {
      ({ id } = await live.client.call.createDoc({ title: 'guarded' }));
      ({ version } = await live.client.call.pushUpdates({
        id,
        version: 0,
        updates: [{ clientID: 'x', changes: [[0, 'abc']] }],
      }));
    });
    const intact = async () => {
      const doc = await live.client.call.openDoc({ id });
      expect(doc.text).toBe('abc');
      expect(doc.version).toBe(version);
    };

    it('a version from the future is a CONFLICT', async () => {
      const push = live.client.call.pushUpdates({
        id,
        version: 99,
        updates: [{ clientID: 'x', changes: [3, [0, 'd']] }],
      });
      await expect(push).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/ahead/) });
      await expect(live.client.call.pullUpdates({ id, since: 99 })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await intact();
    });

    it('a stale version is rejected for rebase, not an error', async () => {
      const result = await live.client.call.pushUpdates({
        id,
        version: 0,
        updates: [{ clientID: 'x', changes: [[0, 'z']] }],
      });
      expect(result).toEqual({ accepted: false, version });
      await intact();
    });

    it('malformed and misfitting change sets are BAD_REQUEST', async () => {
      const bad: WireUpdate['changes'][] = [
        [[]], // no deleted length
        [2], // wrong document length
        [3, [0, 'x'], 5], // past the end
        [3, [0, 'a\nb']], // a line break inside one line
      ];
      for (const changes of bad) {
        const push = live.client.call.pushUpdates({
          id,
          version,
          updates: [{ clientID: 'x', changes }],
        });
        await expect(push).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      }
      const wrongShape = live.client.call.pushUpdates({
        id,
        version,
        updates: [{ clientID: 'x', changes: 'abc' as unknown as [] }],
      });
      await expect(wrongShape).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      // Client ids are stored with each update and must come back exactly as sent.
      for (const clientID of ['', 'half \uD83D', 'a'.repeat(65)]) {
        const push = live.client.call.pushUpdates({ id, version, updates: [{ clientID, changes: [3] }] });
        await expect(push).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      }
      await intact();
    });

    it('a batch is all or nothing: a bad second update stores neither', async () => {
      const push = live.client.call.pushUpdates({
        id,
        version,
        updates: [
          { clientID: 'x', changes: [3, [0, 'ok']] },
          { clientID: 'x', changes: [3] },
        ],
      });
      await expect(push).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/update 1/),
      });
      await intact();
    });

    it('a paste above the limit is PAYLOAD_TOO_LARGE', async () => {
      const push = live.client.call.pushUpdates({
        id,
        version,
        updates: [{ clientID: 'x', changes: [3, [0, 'y'.repeat(1001)]] }],
      });
      await expect(push).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 1000 } });
      await intact();
    });

    it('an unknown document is NOT_FOUND for every procedure and the topics', async () => {
      const ghost = 'no-such-doc';
      await expect(live.client.call.openDoc({ id: ghost })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(
        live.client.call.pushUpdates({
          id: ghost,
          version: 0,
          updates: [{ clientID: 'x', changes: [[0, 'a']] }],
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(live.client.call.pullUpdates({ id: ghost, since: 0 })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(live.client.call.renameDoc({ id: ghost, title: 't' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(live.client.subscribe.doc({ id: ghost }).ready).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });
});
