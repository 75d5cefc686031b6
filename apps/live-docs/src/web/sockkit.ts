/**
 * The app's one sockkit client (same origin, `/ws`) and the composables typed from the
 * contract. Calls fail at once while offline (the sync engine keeps edits and retries), so
 * nothing piles up in a queue.
 */
import { createSockkitClient } from '@sockkit/client';
import { createSockkitVue } from '@sockkit/vue';
import { contract } from '../contract.js';
import { identity } from './identity.js';

const scheme = location.protocol === 'https:' ? 'wss' : 'ws';

/** The connection to the live-docs server. */
export const client = createSockkitClient({
  url: `${scheme}://${location.host}/ws`,
  contract,
  params: () => ({ user: identity.user }),
  offline: 'reject',
  timeout: 15_000,
  reconnect: { initialDelayMs: 200, maxDelayMs: 4000 },
  pingIntervalMs: 10_000,
  pingTimeoutMs: 5000,
});

export const { plugin, useCall, useSubscription, usePresence, useConnectionState } =
  createSockkitVue(contract);
