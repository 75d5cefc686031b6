/**
 * @sockkit/client: typed RPC and pub/sub over WebSocket for browsers and Node.
 *
 * @packageDocumentation
 */
export { SockkitError } from '@sockkit/core';
export type { Backoff, ReconnectOptions } from './backoff.js';
export { reconnectDelay } from './backoff.js';
export type { CallTracer } from './call-tracer.js';
export { createSockkitClient } from './client.js';
export type { SocketConstructor, SocketLike } from './environment.js';
export type {
  CallOptions,
  ClientEvents,
  ClientOptions,
  ConnectionState,
  PublishOptions,
  PublishResult,
  SockkitClient,
  SubscribeFn,
  SubscribeOptions,
} from './options.js';
export type { ClientCallContext } from './serve.js';
export type { MessageInfo, Subscription, SubscriptionEvents, SubscriptionItem } from './subscriptions.js';
