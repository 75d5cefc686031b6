/**
 * @sockkit/react: React hooks for a sockkit client, typed from the contract's type alone:
 * provide a client once with `<SockkitProvider>`, then `useCall`, `useSubscription`,
 * `usePublish`, `usePresence` and `useConnectionState` in components, or `useClient()` for the
 * whole client. Built on `useSyncExternalStore`; everything a hook opens is closed on unmount.
 * TanStack Query options are in `@sockkit/react/query`.
 *
 * @packageDocumentation
 */
export type { CallState, CallStatus } from './call-runner.js';
export type {
  ClientOrNull,
  ProcedureName,
  PublishableTopicName,
  ServerStreamName,
  TopicName,
} from './client-types.js';
export { SockkitProvider, type SockkitProviderProps, useSockkitClient } from './context.js';
export { createSockkitReact, type SockkitReact } from './create.js';
export type { PublishState } from './publish-tracker.js';
export type { SubscriptionHandlers, SubscriptionState } from './subscription-state.js';
export { type UseCallOptions, type UseCallReturn, useCall } from './use-call.js';
export { type UseConnectionStateReturn, useConnectionState } from './use-connection-state.js';
export { type PresentUser, type UsePresenceReturn, usePresence } from './use-presence.js';
export { type UsePublishOptions, type UsePublishReturn, usePublish } from './use-publish.js';
export { type StreamState, type UseStreamOptions, type UseStreamReturn, useStream } from './use-stream.js';
export {
  type UseSubscriptionOptions,
  type UseSubscriptionReturn,
  useSubscription,
} from './use-subscription.js';
