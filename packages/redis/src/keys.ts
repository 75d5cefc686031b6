/**
 * Every Redis key and pub/sub channel name the package uses, in one place. All live under one
 * prefix so that several apps (or test runs) share a Redis without meeting. A channel's keys
 * share the hash tag `{<channel>}`, so each Lua script touches one slot (Redis Cluster-safe).
 */

/** Keys of one sockkit channel. */
export interface ChannelKeys {
  /** Hash: `e` epoch, `o` last offset. Its loss is what starts a new epoch. */
  readonly meta: string;
  /** Stream of durable messages; entry ids are `<offset>-0`, fields `b` body and `t` time. */
  readonly log: string;
  /** Hash: connection id to encoded presence member. */
  readonly members: string;
  /** Sorted set: connection id scored by its lease expiry (Redis time, ms). */
  readonly leases: string;
  /** Counter of presence changes, carried by each presence event. */
  readonly version: string;
  /** Pub/sub channel carrying messages and presence changes to every node. */
  readonly events: string;
}

/** Default key prefix. */
export const DEFAULT_PREFIX = 'sockkit:';

/** Checks a prefix: braces would change the hash tag of every key. */
export function checkPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) throw new TypeError(`key prefix must not contain braces: ${prefix}`);
  return prefix;
}

/** The keys of `channel` under `prefix`. */
export function channelKeys(prefix: string, channel: string): ChannelKeys {
  const base = `${prefix}{${channel}}`;
  return {
    meta: `${base}:meta`,
    log: `${base}:log`,
    members: `${base}:members`,
    leases: `${base}:leases`,
    version: `${base}:pv`,
    events: `${base}:events`,
  };
}

/** Pub/sub channel every node's relay listens on for requests. */
export function relayChannel(prefix: string): string {
  return `${prefix}relay`;
}

/** Pub/sub channel of one node's relay replies. */
export function replyChannel(prefix: string, node: string): string {
  return `${prefix}relay:${node}`;
}

/** A SCAN/KEYS pattern matching every key under `prefix` (glob characters escaped). */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}
