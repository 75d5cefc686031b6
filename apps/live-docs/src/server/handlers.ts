/**
 * The procedures of the live-docs contract, on top of the store, the collab authority and
 * the history. The access middleware (`access.ts`) has already checked the caller's role in
 * the document; handlers record who did what. Accepted updates are durable before the reply
 * is sent and before they fan out.
 */
import type { WireUpdate } from '../contract.js';
import type { PushResult } from './authority.js';
import type { HandlerDeps, LiveDocsHandlers, LiveDocsServer } from './handler-types.js';
import { sharingHandlers } from './sharing.js';

/** Builds the handlers. */
export function createHandlers(deps: HandlerDeps): LiveDocsHandlers {
  const { authority, history, announce } = deps;
  const store = authority.store;
  const access = store.access;

  /** Fans accepted updates out on `doc`, one message per update when they are large (a restore). */
  const fanOut = async (server: LiveDocsServer, id: string, result: PushResult, split: boolean) => {
    if (!result.accepted) return;
    const batches = split ? result.updates.map((update) => [update]) : [result.updates];
    let since = result.since;
    for (const updates of batches) {
      await announce.settle(server.publish.doc({ id }, { type: 'updates', since, updates }));
      since += updates.length;
    }
  };

  return {
    ...sharingHandlers(deps),
    me: (_input, { auth }) => ({ user: auth.user, name: auth.name }),
    listDocs: (_input, { auth }) => access.listFor(auth.user),
    createDoc: async ({ title }, { auth }) => {
      const doc = store.createDoc(title, '', { owner: auth.user, now: authority.now() });
      await announce.upsert(doc.id, [auth.user]);
      return doc;
    },
    renameDoc: async ({ id, title }, { auth }) => {
      store.renameDoc(id, title, authority.now());
      await announce.upsert(id, access.audience(id));
      return access.meta(id, auth.user)!;
    },
    deleteDoc: async ({ id }, { server }) => {
      const audience = access.audience(id);
      store.deleteDoc(id);
      authority.forget(id);
      await Promise.all([
        announce.drop(id, audience, 'deleted'),
        announce.settle(server.publish.doc({ id }, { type: 'deleted' })),
      ]);
      return { id };
    },
    openDoc: ({ id }, { auth }) => {
      const { version, text } = authority.open(id);
      return { meta: access.meta(id, auth.user)!, version, text };
    },
    pushUpdates: async ({ id, version, updates }, { auth, server }) => {
      const result = authority.push(id, version, updates as WireUpdate[], { author: auth.user });
      await fanOut(server, id, result, false);
      return { accepted: result.accepted, version: result.version };
    },
    pullUpdates: ({ id, since }) => authority.pull(id, since),
    listVersions: ({ id, before }) => history.list(id, before),
    getVersion: ({ id, version, since }) => {
      const found = history.get(id, version, since);
      return { ...found, inverse: (found.inverse?.toJSON() as WireUpdate['changes'] | undefined) ?? null };
    },
    restoreVersion: async ({ id, version }, { auth, server }) => {
      const result = history.restore(id, version, auth.user);
      await fanOut(server, id, result, true);
      return { restored: result.accepted, version: result.version };
    },
  };
}
