/**
 * The app's one sockkit client (same origin, `/ws`) and the composables typed from the
 * contract. Calls fail at once while offline (the sync engine keeps edits and retries), so
 * nothing piles up in a queue. The connection carries this browser's identity token and
 * name; `me` is the key the server gave this person.
 */
import { createSockkitClient } from '@sockkit/client';
import { createSockkitVue } from '@sockkit/vue';
import { readonly, shallowRef, watch } from 'vue';
// The contract's type only: the page's bundle holds no zod and no schemas.
import type { contract, PersonRef } from '../contract.js';
import { identity } from './identity.js';
import { procedures } from './procedures.js';

const scheme = location.protocol === 'https:' ? 'wss' : 'ws';

/**
 * The connection to the live-docs server, typed from the contract's type alone. Nothing here
 * needs the schemas at run time: the server calls no procedure on this client (that is what
 * passing the contract would validate); which calls are safe to re-send after a dropped link
 * comes from `procedures`, held to the contract by a test. (The page still ships zod and the
 * contract's update schema, for its own reason: offline-stash.ts checks the edits it reads back
 * from localStorage, data the page cannot trust, against them.)
 */
export const client = createSockkitClient<typeof contract>({
  url: `${scheme}://${location.host}/ws`,
  procedures,
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
