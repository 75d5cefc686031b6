/**
 * @sockkit/server: typed RPC and pub/sub over WebSocket for Node, on `ws`.
 *
 * @packageDocumentation
 */
export { SockkitError } from '@sockkit/core';
export type {
  Broker,
  BrokerEvent,
  BrokerGap,
  BrokerListener,
  BrokerMember,
  BrokerMessage,
  BrokerPresence,
  BrokerStatus,
  HistoryReply,
  PublishOptions as BrokerPublishOptions,
  RecentReply,
} from './broker.js';
export { consoleLogger, type Logger, silentLogger } from './logger.js';
export { MemoryBroker, type MemoryBrokerOptions, type MemoryBrokerStats } from './memory-broker.js';
export {
  type CallEnd,
  type CallEvent,
  type CallWatch,
  type ChannelSnapshot,
  type ClosedEvent,
  type ConnectionSnapshot,
  type DeliveryEvent,
  type GapEvent,
  type ObservedConnection,
  type ObservedServer,
  type PublishEvent,
  type RefusedEvent,
  type ServerObserver,
  type ServerSnapshot,
  UNKNOWN_PROCEDURE,
} from './observer.js';
export type {
  AuthContextOf,
  AuthRequest,
  AuthResult,
  CallContext,
  Middleware,
  MiddlewareCall,
  PublishHookResult,
  PublishOptions,
  ServerCallOptions,
  ServerConnection,
  ServerHandlers,
  ServerOptions,
  ServerSubscribeOptions,
  SockkitServer,
  TopicHistory,
  TopicHookContext,
  TopicHooks,
  TopicHooksMap,
  TopicPositionReply,
  UpgradeRequest,
} from './options.js';
export type { RelayTarget, RelayUserResult, ServerRelay, UserCallResult } from './relay.js';
export { createSockkitServer } from './server.js';
