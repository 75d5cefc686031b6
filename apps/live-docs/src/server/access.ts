/**
 * Who may call what: the role every procedure needs ({@link NEEDS}, checked by one middleware
 * in front of every handler) and the checks of every topic. Viewers read (open, pull, history,
 * presence and cursors); editors also write (push, rename, restore); the owner also shares and
 * deletes. A document without an owner (created before owners existed) gives everyone the
 * editor role until someone claims it. Unknown documents are NOT_FOUND, anything short of the
 * role FORBIDDEN; the table is typed over the contract, so a new procedure cannot be left out.
 */
import { type ServerProcedures, SockkitError } from '@sockkit/core';
import type { Middleware, TopicHooksMap } from '@sockkit/server';
import type { LiveDocsContract, Role } from '../contract.js';
import type { AccessStore } from './access-store.js';
import type { LiveDocsAuth } from './identity.js';

/** What a procedure needs: a role in the document named by its `id`, or only a connection. */
export type Need = Role | 'anyone';

/** The role every procedure needs. */
export const NEEDS: Record<keyof ServerProcedures<LiveDocsContract>, Need> = {
  me: 'anyone',
  listDocs: 'anyone',
  createDoc: 'anyone',
  joinDoc: 'anyone', // the share link is the check
  claimDoc: 'anyone', // only a document without an owner can be claimed
  openDoc: 'viewer',
  pullUpdates: 'viewer',
  listVersions: 'viewer',
  getVersion: 'viewer',
  pushUpdates: 'editor',
  renameDoc: 'editor',
  restoreVersion: 'editor',
  deleteDoc: 'owner',
  sharing: 'owner',
  createLink: 'owner',
  revokeLink: 'owner',
  setAccess: 'owner',
};

const RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

/** `user`'s role in document `id` when it is at least `need`; NOT_FOUND or FORBIDDEN otherwise. */
export function requireRole(access: AccessStore, id: string, user: string, need: Role): Role {
  const role = access.roleOf(id, user);
  if (role === undefined) throw new SockkitError('NOT_FOUND', `no document ${id}`);
  if (role === null) throw new SockkitError('FORBIDDEN', `you have no access to document ${id}`);
  if (RANK[role] >= RANK[need]) return role;
  if (need === 'owner' && access.ownerOf(id) === null) {
    throw new SockkitError('FORBIDDEN', `document ${id} has no owner yet: claim it first`);
  }
  throw new SockkitError(
    'FORBIDDEN',
    `this needs the ${need} role in document ${id}; you are ${role === 'viewer' ? 'a viewer' : 'an editor'}`,
  );
}

/** Refuses every call whose caller lacks the role {@link NEEDS} names; unknown procedures too. */
export function accessMiddleware(access: AccessStore): Middleware<LiveDocsContract, LiveDocsAuth> {
  return (call, next) => {
    const need = (NEEDS as Record<string, Need | undefined>)[call.procedure];
    if (need === undefined) throw new SockkitError('FORBIDDEN', `no access rule for ${call.procedure}`);
    if (need !== 'anyone') requireRole(access, (call.input as { id: string }).id, call.ctx.auth.user, need);
    return next();
  };
}

/** The topic checks: a document's channels need a role in it; a document list is its person's only. */
export function topicAccess(access: AccessStore): TopicHooksMap<LiveDocsContract, LiveDocsAuth> {
  const reader = ({ auth, params }: { auth: LiveDocsAuth; params: { id: string } }) =>
    Boolean(requireRole(access, params.id, auth.user, 'viewer'));
  return {
    doc: { authorize: { subscribe: reader } },
    cursors: { authorize: { subscribe: reader, publish: reader } },
    docs: {
      authorize: {
        subscribe: ({ auth, params }) => {
          if (params.user !== auth.user) throw new SockkitError('FORBIDDEN', 'only your own document list');
          return true;
        },
      },
    },
  };
}
