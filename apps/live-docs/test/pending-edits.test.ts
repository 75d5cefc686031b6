/**
 * Edits kept after their page went away, replayed over real sockets: they merge with what
 * others wrote meanwhile, a second replay (or a replay of edits the page had already
 * pushed) adds nothing, and refusals and a dead link are told apart.
 */
import { type AddressInfo, createServer } from 'node:net';
import { collab } from '@codemirror/collab';
import { EditorState } from '@codemirror/state';
import { createSockkitClient } from '@sockkit/client/node';
import { SockkitError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import { type PendingEdits, replayPending } from '../src/shared/pending-edits.js';
import { CollabSync, isRetryable, type SyncTransport } from '../src/shared/sync-engine.js';
import { useLiveDocs } from './app-fixture.js';
import { HeadlessEditor } from './headless-editor.js';
import { SocketEditor, until } from './socket-editor.js';

const live = useLiveDocs('pending');

const transportFor = (id: string, via = live.client): SyncTransport => ({
  push: (version, updates) => via.call.pushUpdates({ id, version, updates }),
  pull: (since) => via.call.pullUpdates({ id, since }),
});

/** An editor whose link can be cut: offline, every call fails as a dead link would. */
class PageEditor extends HeadlessEditor {
  state: EditorState;
  readonly sync: CollabSync;
  online = true;
  private settled: (() => void) | undefined;

  constructor(id: string, clientID: string, opened: { text: string; version: number }) {
    super();
    this.state = EditorState.create({
      doc: opened.text,
      extensions: [collab({ startVersion: opened.version, clientID })],
    });
    const live = transportFor(id);
    const down = () => Promise.reject(new SockkitError('UNAVAILABLE', 'offline'));
    this.sync = new CollabSync(
      this,
      {
        push: (version, updates) => (this.online ? live.push(version, updates) : down()),
        pull: (since) => (this.online ? live.pull(since) : down()),
      },
      { retryDelay: () => 60_000, onSettled: () => this.settled?.() },
    );
  }

  /** Catches up with the server (pull, then push whatever is unconfirmed). */
  settle(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.settled = resolve;
    });
    this.sync.resync();
    return done;
  }
}

async function newDoc(text: string): Promise<{ id: string; version: number }> {
  const { id } = await live.client.call.createDoc({ title: 'pending' });
  const opened = await live.client.call.openDoc({ id });
  const pushed = await live.client.call.pushUpdates({
    id,
    version: opened.version,
    updates: [{ clientID: 'setup', changes: [[0, text]] }],
  });
  return { id, version: pushed.version };
}

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const textOf = async (id: string) => (await live.client.call.openDoc({ id })).text;

describe('edits kept from a page that went away', () => {
  it('are pushed later, rebased onto what others wrote meanwhile', async () => {
    const { id } = await newDoc('alpha beta gamma');
    const page = new PageEditor(id, 'page-1', await live.client.call.openDoc({ id }));
    const { token } = await live.client.call.createLink({ id, role: 'editor' });
    const other = await SocketEditor.open(live.url, id, 'other', token);
    // The page first sees someone else's edit, so its confirmed text is not the opened one.
    other.edit(0, 0, '> ');
    await until(() => other.sync.unconfirmed === 0, 'the first edit to be saved');
    await page.settle();
    expect(page.sync.pending()).toBeUndefined();

    page.online = false;
    page.dispatch(page.state.update({ changes: { from: page.state.doc.length, insert: ' delta' } }));
    page.dispatch(page.state.update({ changes: { from: 2, insert: 'ALPHA:' } }));
    page.sync.changed();
    await until(() => page.sync.status === 'waiting', 'the push to fail');
    const kept = page.sync.pending()!;
    expect(kept).toMatchObject({ clientID: 'page-1', text: '> alpha beta gamma' });
    expect(kept.updates).toHaveLength(2);
    page.sync.dispose(); // the tab is closed

    other.edit(1, 0, ' (end)');
    await until(() => other.sync.unconfirmed === 0, 'the other edit to be saved');
    expect(await replayPending(JSON.parse(JSON.stringify(kept)) as PendingEdits, transportFor(id))).toBe(2);

    const text = await textOf(id);
    // Both appended at the old end: the update the server had first stays first.
    expect(text).toBe('> ALPHA:alpha beta gamma (end) delta');
    await until(() => other.text === text, 'the other editor to receive the replay');
    await other.close();
  });

  it('add nothing when replayed again, or when the page had pushed part of them', async () => {
    const { id } = await newDoc('one');
    const page = new PageEditor(id, 'page-2', await live.client.call.openDoc({ id }));
    page.online = false;
    for (const word of [' two', ' three', ' four']) {
      page.dispatch(page.state.update({ changes: { from: page.state.doc.length, insert: word } }));
    }
    page.sync.changed();
    await until(() => page.sync.status === 'waiting', 'the push to fail');
    const all = page.sync.pending()!;
    expect(all.updates).toHaveLength(3);

    // The page got the first edit through before it was closed; then the full set is replayed.
    expect(await replayPending({ ...all, updates: all.updates.slice(0, 1) }, transportFor(id))).toBe(1);
    expect(await textOf(id)).toBe('one two');
    expect(await replayPending(all, transportFor(id))).toBe(2);
    expect(await textOf(id)).toBe('one two three four');
    const { version } = await live.client.call.openDoc({ id });

    // A second replay of the same edits, and the page itself coming back, change nothing.
    expect(await replayPending(all, transportFor(id))).toBe(0);
    page.online = true;
    await page.settle();
    expect(page.text).toBe('one two three four');
    const after = await live.client.call.openDoc({ id });
    expect(after).toMatchObject({ text: 'one two three four', version });
  });

  it('are refused for good when the document is gone, ahead, or the edits do not fit', async () => {
    const { id, version } = await newDoc('abc');
    const edits: PendingEdits = {
      clientID: 'page-3',
      version,
      text: 'abc',
      updates: [{ clientID: 'page-3', changes: [3, [0, '!']] }],
    };

    const misfit = { ...edits, updates: [{ clientID: 'page-3', changes: [10, [0, '!']] }] };
    const refusal = await replayPending(misfit, transportFor(id)).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'BAD_REQUEST' });
    expect(isRetryable(refusal)).toBe(false);

    const ahead = await replayPending({ ...edits, version: version + 5 }, transportFor(id)).catch(
      (e: unknown) => e,
    );
    expect(ahead).toMatchObject({ code: 'CONFLICT' });
    expect(isRetryable(ahead)).toBe(false);
    expect(await textOf(id)).toBe('abc');

    await live.client.call.deleteDoc({ id });
    const gone = await replayPending(edits, transportFor(id)).catch((error: unknown) => error);
    expect(gone).toMatchObject({ code: 'NOT_FOUND' });
    expect(isRetryable(gone)).toBe(false);
  });

  it('stay kept when the link is down: the replay fails as retryable', async () => {
    const { id, version } = await newDoc('abc');
    const dead = createSockkitClient({
      url: `ws://127.0.0.1:${await closedPort()}/ws`,
      contract,
      offline: 'reject',
      reconnect: false,
    });
    const edits: PendingEdits = {
      clientID: 'page-4',
      version,
      text: 'abc',
      updates: [{ clientID: 'page-4', changes: [3, [0, '!']] }],
    };
    const error = await replayPending(edits, transportFor(id, dead)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(isRetryable(error)).toBe(true);
    await dead.close();
    expect(await textOf(id)).toBe('abc');
    expect(await replayPending(edits, transportFor(id))).toBe(1);
    expect(await textOf(id)).toBe('abc!');
  });
});
