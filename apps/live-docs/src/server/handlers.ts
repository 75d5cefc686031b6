/**
 * The procedures of the live-docs contract, on top of the store and the collab authority.
 * Accepted updates are durable before the reply is sent and before they fan out.
 */
import { SockkitError } from '@sockkit/core';
import type { CallContext, SockkitServer } from '@sockkit/server';
import type { LiveDocsContract } from '../contract.js';
import type { CollabAuthority } from './authority.js';
import type { Logger } from './log.js';

/** The auth context of a live-docs connection. */
export interface LiveDocsAuth {
  /** The browser's stable anonymous id (groups a person's tabs in presence). */
  user: string;
}

type Server = SockkitServer<LiveDocsContract, LiveDocsAuth>;
type Ctx = CallContext<LiveDocsContract, LiveDocsAuth>;

const notFound = (id: string) => new SockkitError('NOT_FOUND', `no document ${id}`);

/** Builds the handlers; `server` is read lazily (it is created with them). */
export function createHandlers(authority: CollabAuthority, server: () => Server, log: Logger) {
  const store = authority.store;
  const announce = (promise: Promise<unknown>) =>
    promise.catch((error: unknown) =>
      log.warn('publish failed (subscribers will catch up by pulling)', error),
    );

  return {
    listDocs: () => store.listDocs(),
    createDoc: ({ title }: { title: string }) => {
      const doc = store.createDoc(title);
      void announce(server().publish.docs(undefined, { type: 'upsert', doc }));
      return doc;
    },
    renameDoc: ({ id, title }: { id: string; title: string }) => {
      const doc = store.renameDoc(id, title);
      if (!doc) throw notFound(id);
      void announce(server().publish.docs(undefined, { type: 'upsert', doc }));
      return doc;
    },
    deleteDoc: ({ id }: { id: string }) => {
      if (!store.deleteDoc(id)) throw notFound(id);
      authority.forget(id);
      void announce(server().publish.docs(undefined, { type: 'deleted', id }));
      void announce(server().publish.doc({ id }, { type: 'deleted' }));
      return { id };
    },
    openDoc: ({ id }: { id: string }) => authority.open(id),
    pushUpdates: async (
      input: { id: string; version: number; updates: Parameters<CollabAuthority['push']>[2] },
      _ctx: Ctx,
    ) => {
      const result = authority.push(input.id, input.version, input.updates);
      if (result.accepted) {
        await announce(
          server().publish.doc(
            { id: input.id },
            { type: 'updates', since: result.since, updates: result.updates },
          ),
        );
      }
      return { accepted: result.accepted, version: result.version };
    },
    pullUpdates: ({ id, since }: { id: string; since: number }) => authority.pull(id, since),
  };
}
