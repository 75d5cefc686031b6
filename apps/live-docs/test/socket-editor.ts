/**
 * A headless editor over a real sockkit connection: an EditorState with collab(), the same
 * CollabSync the browser uses, the `doc` topic for fan-out and a resync after every rejoin.
 */
import { collab } from '@codemirror/collab';
import { EditorState } from '@codemirror/state';
import { createSockkitClient, type SockkitClient } from '@sockkit/client/node';
import { contract, type LiveDocsContract } from '../src/contract.js';
import { CollabSync } from '../src/shared/sync-engine.js';
import { HeadlessEditor } from './headless-editor.js';
import { tokenOf } from './people.js';

export class SocketEditor extends HeadlessEditor {
  state!: EditorState;
  sync!: CollabSync;
  readonly fatal: unknown[] = [];
  /** Round-trip times of accepted and rejected pushes, in ms. */
  readonly pushTimes: number[] = [];

  private constructor(
    readonly client: SockkitClient<LiveDocsContract>,
    readonly docId: string,
  ) {
    super();
  }

  /**
   * Connects as test person `user`, joins through share link `join` when given, opens
   * `docId` and subscribes to its updates.
   */
  static async open(url: string, docId: string, user: string, join?: string): Promise<SocketEditor> {
    const client = createSockkitClient({
      url,
      contract,
      params: () => ({ token: tokenOf(user), name: user }),
      offline: 'reject',
      timeout: 30_000,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    await client.ready();
    if (join) await client.call.joinDoc({ id: docId, token: join });
    const editor = new SocketEditor(client, docId);
    const opened = await client.call.openDoc({ id: docId });
    editor.state = EditorState.create({
      doc: opened.text,
      extensions: [collab({ startVersion: opened.version, clientID: user })],
    });
    editor.sync = new CollabSync(
      editor,
      {
        push: async (version, updates) => {
          const start = performance.now();
          const result = await client.call.pushUpdates({ id: docId, version, updates });
          editor.pushTimes.push(performance.now() - start);
          return result;
        },
        pull: (since) => client.call.pullUpdates({ id: docId, since }),
      },
      { onFatal: (error) => editor.fatal.push(error), retryDelay: () => 50 },
    );
    const sub = client.subscribe.doc({ id: docId }, (message) => {
      if (message.type === 'updates') editor.sync.receive(message.since, message.updates);
    });
    sub.on('recovered', () => editor.sync.resync());
    await sub.ready;
    editor.sync.resync();
    return editor;
  }

  async close(): Promise<void> {
    this.sync.dispose();
    await this.client.close();
  }
}

/** Waits until `check` holds, polling; fails after `limitMs` with `what`. */
export async function until(check: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
