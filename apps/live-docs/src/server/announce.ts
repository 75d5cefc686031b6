/**
 * Telling pages what changed: document lists are per person (`docs { user }`), so a change
 * reaches exactly the people who may see the document, each with their own role in it.
 * A failed publish is logged and not fatal: pages catch up when they list or pull again.
 */
import type { SockkitServer } from '@sockkit/server';
import type { LiveDocsContract } from '../contract.js';
import type { AccessStore } from './access-store.js';
import type { LiveDocsAuth } from './identity.js';
import type { Logger } from './log.js';

type Server = SockkitServer<LiveDocsContract, LiveDocsAuth>;

/** Publishes list changes and ends the live subscriptions of people who lost access. */
export class Announcer {
  constructor(
    private readonly server: () => Server,
    private readonly access: AccessStore,
    private readonly log: Logger,
  ) {}

  /** Logs a failed publish instead of failing the call that made it. */
  settle(promise: Promise<unknown>): Promise<void> {
    return promise.then(
      () => {},
      (error: unknown) => this.log.warn('publish failed (subscribers will catch up by pulling)', error),
    );
  }

  /** Document `id` as each of `users` now sees it (their role), on their lists. */
  upsert(id: string, users: readonly string[]): Promise<void> {
    return this.settle(
      Promise.all(
        users.map((user) => {
          const doc = this.access.meta(id, user);
          return doc ? this.server().publish.docs({ user }, { type: 'upsert', doc }) : undefined;
        }),
      ),
    );
  }

  /** Document `id` leaves the lists of `users`: deleted, or their access `removed`. */
  drop(id: string, users: readonly string[], type: 'deleted' | 'removed'): Promise<void> {
    return this.settle(Promise.all(users.map((user) => this.server().publish.docs({ user }, { type, id }))));
  }

  /**
   * Ends `user`'s subscriptions to document `id` on this node, so its updates and cursors stop
   * reaching them at once (a resubscribe is refused). Connections on other nodes are not
   * reached: every call they make is refused, but their subscription runs until it rejoins.
   */
  async cutOff(id: string, user: string): Promise<void> {
    for (const conn of this.server().connectionsOf(user)) {
      await this.settle(Promise.all([conn.unsubscribe.doc({ id }), conn.unsubscribe.cursors({ id })]));
    }
  }
}
