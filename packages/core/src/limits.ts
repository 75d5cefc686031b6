/**
 * Default limits. The server enforces them and announces the ones a client can respect
 * up-front (in `welcome`), so an oversized call fails locally instead of on the wire.
 */

/** Per-connection limits with their defaults; every one is configurable on the server. */
export interface Limits {
  /** Largest message accepted; larger ones get PAYLOAD_TOO_LARGE and the connection stays up. */
  maxMessageBytes: number;
  /** Hard frame cap enforced by ws itself; a frame above it closes the socket with 1009. */
  maxFrameBytes: number;
  /** Calls a connection may have running on the server at once. */
  maxCallsInFlight: number;
  /** Channels one connection may be subscribed to. */
  maxSubscriptions: number;
  /** Sustained messages per second per connection (token bucket refill rate). */
  messagesPerSecond: number;
  /** Token bucket size: how many messages may arrive in a burst. */
  messageBurst: number;
  /** RATE_LIMITED replies in a row before the connection is closed with 4008. */
  maxRateLimitStrikes: number;
  /** Malformed frames tolerated before the connection is closed with 4000. */
  maxProtocolErrors: number;
  /** Connections the server accepts at once; more are closed with 1013. */
  maxConnections: number;
  /** Time a socket has to send `hello` after the upgrade. */
  handshakeTimeoutMs: number;
  /** Outbound bytes buffered for a connection above which volatile messages are dropped. */
  softBufferedBytes: number;
  /**
   * Outbound bytes buffered above which the connection is closed with 4009; checked for every
   * frame (a frame that would pass it closes the connection instead of being queued). History a
   * client asked for is paced by what its socket drains and never counts as slow reading.
   */
  maxBufferedBytes: number;
  /** Encoded size of one member's presence state; a larger one gets PAYLOAD_TOO_LARGE. */
  maxPresenceStateBytes: number;
  /**
   * Members a channel's presence holds; joining a full one gets LIMIT_EXCEEDED. With the state
   * bound this bounds the snapshot a subscriber receives (1,000 × 2 KiB ≈ 2 MiB by default).
   */
  maxPresenceMembers: number;
  /**
   * Chunks the server takes at once from the caller of a client stream (its credit window); it
   * grants more as the handler reads. Bounds what one stream buffers to this × `maxStreamChunkBytes`.
   */
  streamWindow: number;
  /** Encoded size of one stream chunk, either way; a larger one ends its stream with PAYLOAD_TOO_LARGE. */
  maxStreamChunkBytes: number;
  /** A stream with no chunk and no credit either way for this long ends with TIMEOUT. */
  streamIdleTimeoutMs: number;
}

/** Safe defaults, chosen for browsers on real networks talking to one Node process. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 1024 * 1024,
  maxFrameBytes: 4 * 1024 * 1024,
  maxCallsInFlight: 256,
  maxSubscriptions: 256,
  messagesPerSecond: 1000,
  messageBurst: 2000,
  maxRateLimitStrikes: 50,
  maxProtocolErrors: 20,
  maxConnections: 50_000,
  handshakeTimeoutMs: 10_000,
  softBufferedBytes: 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxPresenceStateBytes: 2 * 1024,
  maxPresenceMembers: 1000,
  streamWindow: 16,
  maxStreamChunkBytes: 64 * 1024,
  streamIdleTimeoutMs: 60_000,
});
