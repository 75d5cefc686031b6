/**
 * The page's one sockkit client and the React hooks, typed from the contract's type alone: the
 * page's bundle holds no zod and no schemas (the server validates all it receives and calls no
 * procedure on the page). Which calls the client re-sends after a dropped link comes from
 * `procedures`, held to the contract by a test. Calls made while the link is down wait in the
 * client's queue (in memory); messages are also kept in the outbox, which survives a reload and
 * sends each once (see src/shared/outbox.ts).
 */
import { createSockkitClient, type SockkitClient } from '@sockkit/client';
import { createSockkitReact } from '@sockkit/react';
import type { ChatContract } from '../contract.js';
import type { Identity } from './identity.js';
import { procedures } from './procedures.js';

export type ChatClient = SockkitClient<ChatContract>;

export const { SockkitProvider, useClient, useCall, useSubscription, usePresence, useConnectionState } =
  createSockkitReact<ChatContract>();

/** A client on this page's origin, connecting as `identity` (re-read on every reconnect). */
export function connect(identity: () => Identity): ChatClient {
  const url = new URL('/ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return createSockkitClient<ChatContract>({
    url: url.href,
    procedures,
    params: () => ({ token: identity().token, name: identity().name }),
  });
}
