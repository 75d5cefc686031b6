/**
 * The app's one sockkit client (same origin, `/ws`) and the composables typed from the
 * contract. Calls fail at once while offline (the sync engine keeps edits and retries), so
 * nothing piles up in a queue. The connection carries this browser's identity token and
 * name; `me` is the key the server gave this person.
 */
import { createSockkitClient } from '@sockkit/client';
import { createSockkitVue } from '@sockkit/vue';
import { readonly, shallowRef, watch } from 'vue';
import { contract, type PersonRef } from '../contract.js';
import { identity } from './identity.js';

const scheme = location.protocol === 'https:' ? 'wss' : 'ws';

/**
 * The connection to the live-docs server. It keeps the contract object at run time (and so
 * ships zod): seven procedures are `idempotent`, and only the contract tells the client to
 * re-send those after a dropped link instead of failing them; the document sync depends on it.
 */
export const client = createSockkitClient({
  url: `${scheme}://${location.host}/ws`,
  contract,
  params: () => ({ token: identity.token, name: identity.name }),
  offline: 'reject',
  timeout: 15_000,
  reconnect: { initialDelayMs: 200, maxDelayMs: 4000 },
  pingIntervalMs: 10_000,
  pingTimeoutMs: 5000,
});

export const { plugin, useCall, useSubscription, usePresence, useConnectionState } =
  createSockkitVue<typeof contract>();

const current = shallowRef<PersonRef>();
const fetchMe = () => {
  client.call.me().then(
    (person) => {
      current.value = person;
    },
    () => {}, // the next connection asks again
  );
};
client.on('state', (state) => {
  if (state === 'open') fetchMe();
});
if (client.state === 'open') fetchMe();
// A new name reaches the server (the people and history lists) without reconnecting.
watch(
  () => identity.name,
  () => client.updateAuth().then(fetchMe, () => {}),
);

/** This person as the server knows them; undefined until the first connection. */
export const me = readonly(current);
