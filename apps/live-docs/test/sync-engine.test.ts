/**
 * The sync engine's two promises to the page: a server update that cannot be applied stops
 * it and hands back the unsaved edits as they stood (instead of carrying on diverged), and
 * `saved` means the server confirmed every local edit, even when one is made while a pull is
 * in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transaction } from '@codemirror/state';
import { afterAll, describe, expect, it } from 'vitest';
import { replayPending } from '../src/shared/pending-edits.js';
import type { SyncTransport } from '../src/shared/sync-engine.js';
import { SimClient, SimNetwork, tick } from './sim.js';

const dir = mkdtempSync(join(tmpdir(), 'live-docs-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const network = (text: string) => new SimNetwork(join(dir, `${files++}.sqlite`), text);

/** Every client has pulled once and holds the server's version. */
async function caughtUp(net: SimNetwork): Promise<void> {
  for (const client of net.clients) client.sync.resync();
  await net.drain();
}

/** The authority called directly, for replays. */
const direct = (net: SimNetwork): SyncTransport => ({
  push: async (version, updates) => net.authority.push(net.docId, version, updates),
  pull: async (since) => net.authority.pull(net.docId, since),
});

/** An editor that throws while it applies the server's updates, as a broken view would. */
class ThrowingClient extends SimClient {
  throwOnRemote = false;

  override dispatch(transaction: Transaction): void {
    if (this.throwOnRemote && transaction.annotation(Transaction.remote)) {
      this.state = transaction.state; // EditorView takes the new state before it draws it
      throw new RangeError('Decorations that replace line breaks may not be specified via plugins');
    }
    super.dispatch(transaction);
  }
}

describe('a server update that cannot be applied', () => {
  it('stops the engine and hands back the unsaved edits as they stood, when the update does not fit', async () => {
    const net = network('hello');
    const client = net.addClient();
    await caughtUp(net);
    client.edit(1, 0, '!');
    await tick();
    expect(client.outbox).toHaveLength(1); // the push is on its way
    // A message keeping 99 characters of a 5-character document.
    client.inbox.push({ since: 0, updates: [{ clientID: 'rogue', changes: [99, [0, 'x']] }] });
    expect(() => net.deliverMessage(0)).not.toThrow();
    expect(client.diverged).toHaveLength(1);
    expect(String(client.diverged[0]!.error)).toMatch(/length/);
    expect(client.diverged[0]!.pending).toEqual({
      clientID: 'c0',
      version: 0,
      text: 'hello',
      updates: [{ clientID: 'c0', changes: [5, [0, '!']] }],
    });
    // Stopped: the answer to the push in flight and later edits lead nowhere.
    net.deliverRequest(0);
    await tick();
    client.edit(0, 0, 'late ');
    await tick();
    expect(client.outbox).toEqual([]);
    // The push did land; replaying the handed-back edits adds nothing twice.
    expect(await replayPending(client.diverged[0]!.pending!, direct(net))).toBe(0);
    expect(net.authority.open(net.docId).text).toBe('hello!');
    expect(client.fatal).toEqual([]);
    net.close();
  });

  it('stops the engine when the editor throws while applying one; the edits replay onto the server', async () => {
    const net = network('abc');
    const other = net.addClient();
    const opened = net.authority.open(net.docId);
    const broken = new ThrowingClient(net, 'c1', opened.version, opened.text);
    net.clients.push(broken);
    await caughtUp(net);
    broken.edit(0, 0, 'B');
    other.edit(1, 0, 'Z');
    await tick();
    net.deliverRequest(0); // other's push: accepted, fanned out to both
    broken.throwOnRemote = true;
    net.deliverMessage(1);
    expect(broken.diverged).toHaveLength(1);
    expect(broken.diverged[0]!.pending).toEqual({
      clientID: 'c1',
      version: 0,
      text: 'abc',
      updates: [{ clientID: 'c1', changes: [[0, 'B'], 3] }],
    });
    expect(await replayPending(broken.diverged[0]!.pending!, direct(net))).toBe(1);
    expect(net.authority.open(net.docId).text).toBe('BabcZ');
    net.close();
  });
});

describe('the save status', () => {
  it('is saving from the first local edit, even while a pull is in flight, until the server confirms it', async () => {
    const net = network('text');
    const client = net.addClient();
    await caughtUp(net);
    const seen: string[] = [];
    client.sync.resync(); // a pull goes out
    expect(client.outbox).toHaveLength(1);
    expect(client.sync.status).toBe('saved');
    client.edit(1, 0, '.');
    seen.push(client.sync.status);
    net.deliverRequest(0); // the pull's answer; then the push goes out
    await tick();
    expect(client.outbox).toHaveLength(1);
    seen.push(client.sync.status);
    expect(net.authority.open(net.docId).text).toBe('text');
    net.deliverRequest(0); // the server stores the edit and confirms it
    await tick();
    seen.push(client.sync.status);
    expect(seen).toEqual(['saving', 'saving', 'saved']);
    expect(client.sync.unconfirmed).toBe(0);
    expect(net.authority.open(net.docId).text).toBe('text.');
    net.close();
  });
});
