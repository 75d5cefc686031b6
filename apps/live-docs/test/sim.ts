/**
 * A deterministic network for the sync tests: every push and pull waits in its client's
 * outbox until the test delivers it, and every fan-out waits in each client's inbox, so a
 * test (or fast-check) decides the interleaving. A "restart" closes the store and opens it
 * again from the same file, failing whatever was in flight.
 */
import { collab } from '@codemirror/collab';
import { EditorState } from '@codemirror/state';
import { SockkitError } from '@sockkit/core';
import type { WireUpdate } from '../src/contract.js';
import { CollabAuthority } from '../src/server/authority.js';
import { DocStore } from '../src/server/store.js';
import type { PendingEdits } from '../src/shared/pending-edits.js';
import { CollabSync, type SyncTransport } from '../src/shared/sync-engine.js';
import { HeadlessEditor } from './headless-editor.js';

interface Request {
  handler(): unknown;
  resolve(value: unknown): void;
  fail(error: unknown): void;
}

interface Fanout {
  since: number;
  updates: WireUpdate[];
}

/** One simulated editor. */
export class SimClient extends HeadlessEditor {
  state: EditorState;
  readonly outbox: Request[] = [];
  readonly inbox: Fanout[] = [];
  readonly sync: CollabSync;
  readonly fatal: unknown[] = [];
  /** What `onDiverged` reported: applying the server's updates threw. */
  readonly diverged: { error: unknown; pending: PendingEdits | undefined }[] = [];

  constructor(
    readonly net: SimNetwork,
    readonly clientID: string,
    version: number,
    text: string,
  ) {
    super();
    this.state = EditorState.create({ doc: text, extensions: [collab({ startVersion: version, clientID })] });
    const transport: SyncTransport = {
      push: (base, updates) => this.request(() => net.authority.push(net.docId, base, updates)),
      pull: (since) => this.request(() => net.authority.pull(net.docId, since)),
    };
    this.sync = new CollabSync(this, transport, {
      retryDelay: () => 0,
      onFatal: (error) => this.fatal.push(error),
      onDiverged: (error, pending) => this.diverged.push({ error, pending }),
    });
  }

  private request<T>(handler: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.outbox.push({ handler, resolve: (value) => resolve(value as T), fail: reject });
    });
  }
}

/** The server side: store, authority and fan-out to every client's inbox. */
export class SimNetwork {
  store: DocStore;
  authority: CollabAuthority;
  readonly clients: SimClient[] = [];
  readonly docId: string;

  constructor(
    readonly dbPath: string,
    initialText = '',
    readonly snapshotEvery = 7,
  ) {
    this.store = new DocStore(dbPath, { synchronous: 'NORMAL' });
    this.authority = new CollabAuthority(this.store, { snapshotEvery });
    this.docId = this.store.createDoc('sim', initialText).id;
  }

  addClient(): SimClient {
    const opened = this.authority.open(this.docId);
    const client = new SimClient(this, `c${this.clients.length}`, opened.version, opened.text);
    this.clients.push(client);
    return client;
  }

  /** Runs client `i`'s oldest request; `loseReply` runs it but fails the reply. */
  deliverRequest(i: number, loseReply = false): void {
    const client = this.clients[i]!;
    const request = client.outbox.shift();
    if (!request) return;
    const before = this.authority.store.version(this.docId) ?? 0;
    try {
      const value = request.handler();
      // A lost reply: the server did the work, the client sees a dropped link.
      if (loseReply) request.fail(new SockkitError('UNAVAILABLE', 'reply lost'));
      else request.resolve(value);
    } catch (error) {
      request.fail(error);
    }
    this.fanout(before);
    if (loseReply) this.disconnect(i);
  }

  /** Delivers client `i`'s oldest fan-out message. */
  deliverMessage(i: number): void {
    const client = this.clients[i]!;
    const message = client.inbox.shift();
    if (message) client.sync.receive(message.since, message.updates);
  }

  /** Client `i` loses its link: requests in flight fail, queued messages are lost. */
  disconnect(i: number): void {
    const client = this.clients[i]!;
    for (const request of client.outbox.splice(0))
      request.fail(new SockkitError('UNAVAILABLE', 'disconnected'));
    client.inbox.length = 0;
    client.sync.resync();
  }

  /** Closes and reopens the store (a server restart); every client reconnects. */
  restart(): void {
    this.store.close();
    this.store = new DocStore(this.dbPath, { synchronous: 'NORMAL' });
    this.authority = new CollabAuthority(this.store, { snapshotEvery: this.snapshotEvery });
    for (let i = 0; i < this.clients.length; i++) this.disconnect(i);
  }

  /** Delivers everything until all clients are idle and confirmed. */
  async drain(maxRounds = 10_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      await tick();
      let busy = false;
      for (let i = 0; i < this.clients.length; i++) {
        const client = this.clients[i]!;
        if (client.outbox.length || client.inbox.length) busy = true;
        this.deliverRequest(i);
        this.deliverMessage(i);
      }
      if (!busy && this.clients.every((c) => c.sync.unconfirmed === 0 && c.sync.status === 'saved')) {
        await tick();
        if (this.clients.every((c) => c.outbox.length === 0 && c.inbox.length === 0)) return;
      }
    }
    throw new Error('network did not settle');
  }

  close(): void {
    for (const client of this.clients) client.sync.dispose();
    this.store.close();
  }

  private fanout(before: number): void {
    const after = this.authority.store.version(this.docId) ?? 0;
    if (after > before) {
      const { updates } = this.authority.pull(this.docId, before);
      for (const client of this.clients) client.inbox.push({ since: before, updates });
    }
  }
}

/** Lets promise callbacks and zero-delay timers run. */
export async function tick(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
