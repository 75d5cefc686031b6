/** The page's sockkit client and the Vue composables, typed from the contract once. */
import { createSockkitClient } from '@sockkit/client';
import { createSockkitVue } from '@sockkit/vue';
import { contract } from '../contract.js';

/** A client for the server that served this page: `/ws` resolves against its address. */
export function connect(token: string) {
  return createSockkitClient({ url: '/ws', contract, params: () => ({ token }) });
}

export const { plugin, useCall, useClient, useConnectionState, usePresence, usePublish, useSubscription } =
  createSockkitVue(contract);
