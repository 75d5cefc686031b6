/**
 * The page's one client and the hooks, both typed from the contract's type alone: the bundle
 * holds no zod and no schemas (test/browser.test.ts checks it).
 */
import { createSockkitClient } from '@sockkit/client';
import { createSockkitReact } from '@sockkit/react';
import type { chatContract } from '../contract.js';

export const client = createSockkitClient<typeof chatContract>({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  // The server's call to the page: it asks what time the page shows.
  handlers: { localTime: () => new Date().toLocaleTimeString() },
});

export const { SockkitProvider, useCall, useSubscription, usePresence, usePublish, useConnectionState } =
  createSockkitReact<typeof chatContract>();
