/**
 * @sockkit/vue: Vue 3 composables for a sockkit client, typed from the contract: provide a
 * client once, then `useCall`, `useSubscription`, `usePresence` and `useConnectionState` in
 * components. Everything a composable opens is closed when its component unmounts.
 *
 * @packageDocumentation
 */
export type {
  CallOptionsLike,
  ConnectionState,
  MessageInfoLike,
  ProcedureName,
  SockkitClientLike,
  SubscribeOptionsLike,
  Subscribers,
  SubscriptionLike,
  TopicName,
} from './client-shape.js';
export { createSockkitVue, type SockkitVue } from './create.js';
export { toSockkitError } from './errors.js';
export { provideSockkit, sockkitClientKey, sockkitPlugin, useSockkitClient } from './provide.js';
export { type UseCallOptions, type UseCallReturn, useCall } from './use-call.js';
export { type UseConnectionStateReturn, useConnectionState } from './use-connection-state.js';
export { type PresentUser, type UsePresenceReturn, usePresence } from './use-presence.js';
export {
  type UseSubscriptionOptions,
  type UseSubscriptionReturn,
  useSubscription,
} from './use-subscription.js';
