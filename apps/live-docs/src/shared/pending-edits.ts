/**
 * Edits that were never confirmed, kept so that another page can push them later (the tab
 * was closed while offline), and the replay that does it.
 *
 * Replaying is safe to repeat: the edits keep their original collab client id, so when the
 * server already holds some of them (they were pushed before the page went away, or another
 * page replayed them), the pull hands them back as this client's own confirmations and only
 * the rest is pushed.
 */
import { collab } from '@codemirror/collab';
import { ChangeSet, EditorState, type Transaction } from '@codemirror/state';
import { SockkitError } from '@sockkit/core';
import * as z from 'zod';
import { clientId, updateSchema } from '../contract.js';
import { CollabSync, type SyncTransport } from './sync-engine.js';

/** The schema of stored pending edits; what is read back from storage is checked against it. */
export const pendingEditsSchema = z.object({
  /** The collab client id the edits were made under. */
  clientID: clientId,
  /** The version the edits are based on. */
  version: z.number().int().nonnegative(),
  /** The document's text at that version. */
  text: z.string(),
  /** The unconfirmed updates, in order, each based on the text after the previous one. */
  updates: z.array(updateSchema).min(1),
});

/** Unconfirmed edits with the base they apply to. */
export type PendingEdits = z.infer<typeof pendingEditsSchema>;

/**
 * Pushes `pending` through `transport`: rebuilds the editor state they were made in, rebases
 * them onto the server's newer updates and pushes what the server does not hold yet.
 * Resolves, once nothing is unconfirmed, with how many updates this replay got accepted (0
 * when the server already held them all). Rejects with the first refusal that retrying cannot
 * fix (a SockkitError that is not retryable: drop the edits), or with the transport's error
 * when the link is down (keep the edits and replay later).
 */
export function replayPending(pending: PendingEdits, transport: SyncTransport): Promise<number> {
  const host = {
    state: EditorState.create({
      doc: pending.text,
      extensions: [collab({ startVersion: pending.version, clientID: pending.clientID })],
    }),
    dispatch(transaction: Transaction) {
      host.state = transaction.state;
    },
  };
  let accepted = 0;
  const counting: SyncTransport = {
    pull: (since) => transport.pull(since),
    push: async (version, updates) => {
      const result = await transport.push(version, updates);
      if (result.accepted) accepted += updates.length;
      return result;
    },
  };
  return new Promise<number>((resolve, reject) => {
    const finish = (error?: unknown) => {
      sync.dispose();
      if (error === undefined) resolve(accepted);
      else reject(error);
    };
    const sync = new CollabSync(host, counting, {
      onFatal: finish,
      onSettled: () => finish(),
      // A transport failure ends the replay instead of retrying: the page replays on reconnect.
      onRetry: finish,
    });
    try {
      for (const update of pending.updates) {
        host.dispatch(host.state.update({ changes: ChangeSet.fromJSON(update.changes) }));
      }
    } catch (error) {
      finish(new SockkitError('BAD_REQUEST', `the kept edits do not fit their base text: ${String(error)}`));
      return;
    }
    sync.resync();
  });
}
