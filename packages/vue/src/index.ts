/**
 * @sockkit/vue: Vue 3 composables for a sockkit client, typed from the contract: provide a
 * client once, then `useCall`, `useStream`, `useSubscription`, `usePublish`, `usePresence`
 * and `useConnectionState` in components, or `useClient()` for the whole client. Everything a composable opens is closed when its component unmounts.
 *
 * @packageDocumentation
 */
export type {
  CallOptionsLike,
  ClientEventsLike,
  ConnectionState,
  ProcedureName,
  PublishableTopicName,
  Publishers,
  PublishOptionsLike,
  PublishResultLike,
  SendStreamOptionsLike,
  ServerStreamLike,
  ServerStreamName,
  SockkitClientLike,
  StreamFns,
  StreamOptionsLike,
  SubscribeOptionsLike,
  Subscribers,
  TopicName,
} from './client-shape.js';
export { createSockkitVue, type SockkitVue } from './create.js';
export { toSockkitError } from './errors.js';
export { provideSockkit, sockkitClientKey, sockkitPlugin, useSockkitClient } from './provide.js';
export type {
  MessageInfoLike,
  PresenceChangeLike,
  SubscriptionEventsLike,
  SubscriptionItemLike,
  SubscriptionLike,
} from './subscription-shape.js';
export { type UseCallOptions, type UseCallReturn, useCall } from './use-call.js';
export { type UseConnectionStateReturn, useConnectionState } from './use-connection-state.js';
export { type PresentUser, type UsePresenceReturn, usePresence } from './use-presence.js';
export { type UsePublishOptions, type UsePublishReturn, usePublish } from './use-publish.js';
export { type UseStreamOptions, type UseStreamReturn, useStream } from './use-stream.js';
export {
  type UseSubscriptionOptions,
  type UseSubscriptionReturn,
  useSubscription,
} from './use-subscription.js';
