/**
 * The sharing procedures: share links (one per role, a random secret), joining through one,
 * the owner's view of who has access, changing or removing someone's role, and claiming a
 * document that has no owner. Whoever loses access stops receiving the document at once on
 * this node (see {@link Announcer.cutOff}).
 */
import { SockkitError } from '@sockkit/core';
import type { HandlerDeps, LiveDocsHandlers } from './handler-types.js';

type SharingHandlers = Pick<
  LiveDocsHandlers,
  'joinDoc' | 'claimDoc' | 'sharing' | 'createLink' | 'revokeLink' | 'setAccess'
>;

/** Builds the sharing handlers. */
export function sharingHandlers({
  authority,
  announce,
}: Pick<HandlerDeps, 'authority' | 'announce'>): SharingHandlers {
  const access = authority.store.access;
  return {
    joinDoc: async ({ id, token }, { auth }) => {
      const role = access.roleOf(id, auth.user);
      if (role === undefined) throw new SockkitError('NOT_FOUND', `no document ${id}`);
      const granted = access.linkRole(id, token);
      if (!granted)
        throw new SockkitError('FORBIDDEN', 'this share link was revoked or is not a link of this document');
      // A link never lowers a role: an editor opening the view link stays an editor.
      if (role === null || (role === 'viewer' && granted === 'editor')) {
        access.setRole(id, auth.user, granted);
        await announce.upsert(id, [auth.user]);
      }
      return access.meta(id, auth.user)!;
    },
    claimDoc: async ({ id }, { auth }) => {
      const owner = access.ownerOf(id);
      if (owner === undefined) throw new SockkitError('NOT_FOUND', `no document ${id}`);
      if (!access.claim(id, auth.user))
        throw new SockkitError('CONFLICT', `document ${id} already has an owner`);
      await announce.upsert(id, [auth.user]);
      return access.meta(id, auth.user)!;
    },
    sharing: ({ id }) => access.sharing(id),
    createLink: ({ id, role }) => ({ token: access.createLink(id, role) }),
    revokeLink: ({ id, role }) => ({ revoked: access.revokeLink(id, role) }),
    setAccess: async ({ id, user, role }) => {
      if (user === access.ownerOf(id))
        throw new SockkitError('BAD_REQUEST', "the owner's role cannot change");
      if (role !== null && access.roleOf(id, user) === null) {
        // Roles are given by share links; the owner changes or removes them.
        throw new SockkitError('NOT_FOUND', `${user} has no role in document ${id} to change`);
      }
      const changed = access.setRole(id, user, role);
      if (!changed) return { changed };
      if (role === null) {
        await announce.cutOff(id, user);
        await announce.drop(id, [user], 'removed');
      } else await announce.upsert(id, [user]);
      return { changed };
    },
  };
}
