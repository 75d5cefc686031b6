/**
 * @sockkit/redis: run several sockkit server nodes as one, on Redis. {@link RedisBroker}
 * carries topics, history and presence across nodes; {@link RedisRelay} carries server →
 * client calls to connections on other nodes.
 *
 * @packageDocumentation
 */
export {
  RedisBroker,
  type RedisBrokerEvents,
  type RedisBrokerOptions,
  type RedisBrokerStats,
  type WaitForReplicas,
} from './broker.js';
export type { GapCause, GapReport } from './feed.js';
export { DEFAULT_PREFIX } from './keys.js';
export {
  defaultReconnectDelay,
  type LinkEvents,
  type LinkStatus,
  type Outage,
  RedisLink,
  type RedisLinkOptions,
  type StatusDetail,
} from './link.js';
export {
  RedisRelay,
  type RedisRelayOptions,
  type RelayCallOptions,
  type RelayTarget,
  type UserCallResult,
} from './relay.js';
export type { Script } from './scripts.js';
