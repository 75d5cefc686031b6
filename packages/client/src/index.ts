/**
 * @sockkit/client: typed RPC and pub/sub over WebSocket for browsers and Node.
 *
 * @packageDocumentation
 */
export { SockkitError } from '@sockkit/core';
export type { Backoff, ReconnectOptions } from './backoff.js';
export { reconnectDelay } from './backoff.js';
export type { CallTracer } from './call-tracer.js';
export { createSockkitCallClient, createSockkitClient } from './create.js';
export type { SocketConstructor, SocketLike } from './environment.js';
export type {
  CallClientOptions,
  CallOptions,
  ClientEvents,
  ClientOptions,
  ClientSettings,
  ClientStreams,
  ConnectionState,
  ContractClientOptions,
  ProcedureSettings,
  PublishOptions,
  PublishResult,
  SockkitCallClient,
  SockkitClient,
  StreamFn,
  SubscribeFn,
  SubscribeOptions,
  TrustedHandlers,
  TypeOnlyClientOptions,
  WithStreams,
} from './options.js';
export type { ClientCallContext } from './serve.js';
export {
  type SendStreamOptions,
  type ServerStream,
  type StreamOptions,
  type StreamsPart,
  streams,
} from './streams.js';
export type { MessageInfo, Subscription, SubscriptionEvents, SubscriptionItem } from './subscriptions.js';
