/** The procedures pages call. */
import { type ServerHandlers, SockkitError } from '@sockkit/server';
import type { contract } from '../contract.js';
import type { Auth } from './auth.js';

export const handlers: ServerHandlers<typeof contract, Auth> = {
  me: (_input, { auth }) => auth,
  kick: async ({ name, reason }, { auth, server }) => {
    if (!auth.admin) throw new SockkitError('FORBIDDEN', 'only admins can kick');
    // Every connection of that user, on every node (through the relay), closes with 4006.
    const closed = await server.user(name).disconnect(`kicked by ${auth.name}: ${reason}`);
    return { closed };
  },
};
