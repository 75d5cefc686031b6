/**
 * The observation seam: what a server tells the code that watches it (metrics, tracing, an
 * inspector), and the read-only snapshot it gives of itself. Every callback is optional and
 * synchronous; the server calls them on its own hot path, so an observer records and returns
 * (no I/O, no await). With no observer registered the server builds no event object and calls
 * nothing: each site is one `undefined` check.
 *
 * Events carry names the contract defines (procedure, topic) besides the channel key, so an
 * observer can keep label cardinality bounded by using the names and not the keys.
 */
import type { ErrorCode } from '@sockkit/core';
import type { BrokerStatus } from './broker.js';

/** The procedure name events carry for a `call` naming no procedure of the contract. */
export const UNKNOWN_PROCEDURE = '(unknown)';

/** A connection as observers see it: identity, and where it came from. */
export interface ObservedConnection {
  /** Connection id: random, unique across nodes. */
  readonly id: string;
  /** User key from `authenticate`; undefined for anonymous connections. */
  readonly user: string | undefined;
  /** When the handshake completed, in the server clock's milliseconds (0 before). */
  readonly openedAt: number;
  /** The upgrade request's remote address. */
  readonly request: { readonly remoteAddress: string | undefined };
}

/** A socket refused before or at the handshake (after it was upgraded). */
export interface RefusedEvent {
  /**
   * The WebSocket close code it was closed with: 4005 origin not allowed, 4003 unsupported
   * protocol version, 1013 too many connections, 4001 unauthorized (`authenticate` refused or
   * threw). See docs/protocol.md for the table.
   */
  readonly code: number;
  /** The close reason sent. */
  readonly reason: string;
  /** The upgrade request's remote address. */
  readonly remoteAddress: string | undefined;
}

/** An open connection closed. */
export interface ClosedEvent {
  /** The close code: the peer's, or this side's when it closed first (4009 slow consumer, …). */
  readonly code: number;
  /** The close reason. */
  readonly reason: string;
}

/** A `call` from a client, as it arrives (before any check). */
export interface CallEvent {
  /** The connection that called. */
  readonly conn: ObservedConnection;
  /** The call's request id on that connection. */
  readonly id: number;
  /** The procedure, as the contract names it; {@link UNKNOWN_PROCEDURE} for a name it does not define. */
  readonly procedure: string;
  /**
   * Bytes of the request: its WebSocket frame when the call came alone in it, else the UTF-8
   * size of its payload (`d` and `m` as JSON) without the envelope.
   */
  readonly bytes: number;
  /** The W3C `traceparent` the caller sent in the call frame (field `tp`), if any. */
  readonly traceparent: string | undefined;
}

/** How a call ended: when its one answer was queued, or the connection closed first. */
export interface CallEnd {
  /** `OK`, or the error code the caller was answered with (`UNAVAILABLE` when the connection closed first). */
  readonly code: 'OK' | ErrorCode;
  /** Bytes of the answer frame (UTF-8); 0 when none was sent. */
  readonly bytes: number;
  /** Milliseconds from arrival to answer (from `performance.now()`; fractional). */
  readonly durationMs: number;
}

/**
 * What an observer returns from {@link ServerObserver.callStarted} to follow one call: told
 * how it ends, and optionally wrapping its handler (a tracer makes its span the active context
 * there, so spans the handler opens are its children).
 */
export interface CallWatch {
  /**
   * Runs `handler` (middleware and handler, synchronously up to their first await). Must call
   * it exactly once and return what it returns.
   */
  run?<T>(handler: () => T): T;
  /** The call ended; called exactly once. */
  finished(end: CallEnd): void;
}

/** A message published to a channel from this node (by the server or a client). */
export interface PublishEvent {
  /** The topic, as the contract names it. */
  readonly topic: string;
  /** The channel key (topic and params): unbounded, not a metric label. */
  readonly channel: string;
  /** UTF-8 bytes of the encoded message (`json` and `meta`). */
  readonly bytes: number;
  /** Skipped history (typing indicators, cursors). */
  readonly volatile: boolean;
  /** Who published: a client of this node, or the server's `publish`. */
  readonly origin: 'client' | 'server';
}

/** One broker event fanned out to this node's subscribers of a channel. */
export interface DeliveryEvent {
  /** The topic. */
  readonly topic: string;
  /** The channel key. */
  readonly channel: string;
  /** A message, or a presence change (join, update, leave). */
  readonly kind: 'message' | 'join' | 'update' | 'leave';
  /** Live subscribers on this node it was queued for (volatile ones may still be dropped). */
  readonly recipients: number;
  /** UTF-8 bytes of the frame each recipient gets. */
  readonly bytes: number;
}

/** Messages of a channel that were lost and could not be read back; subscribers resync. */
export interface GapEvent {
  /** The topic. */
  readonly topic: string;
  /** The channel key. */
  readonly channel: string;
}

/**
 * Something that watches a server: every callback optional, all synchronous. Register with the
 * `observers` option of `createSockkitServer` or `server.observe()`. A callback that throws is
 * logged (within a budget) and the server goes on: observing never breaks serving.
 *
 * @example
 * ```ts
 * import type { ServerObserver } from '@sockkit/server';
 *
 * let open = 0;
 * const counter: ServerObserver = {
 *   connectionOpened: () => void open++,
 *   connectionClosed: () => void open--,
 * };
 * ```
 */
export interface ServerObserver {
  /** Registered on `server`: it may keep the view to read snapshots later (gauges at scrape time). */
  attached?(server: ObservedServer): void;
  /** Unregistered from `server` (or the server closed): drop what was kept of it. */
  detached?(server: ObservedServer): void;

  /** A connection completed its handshake. */
  connectionOpened?(conn: ObservedConnection): void;
  /** An open connection closed. Connections refused at the handshake are reported by `refused` instead. */
  connectionClosed?(conn: ObservedConnection, event: ClosedEvent): void;
  /** A socket was refused: origin, protocol version, connection limit, or `authenticate`. */
  refused?(event: RefusedEvent): void;

  /** A frame arrived from a connection (any frame, handshake included once the socket is upgraded). */
  received?(conn: ObservedConnection, bytes: number): void;
  /** Frames were written to a connection's socket: `bytes` of UTF-8 in one WebSocket frame. */
  sent?(conn: ObservedConnection, bytes: number): void;

  /**
   * A client's `call` arrived. Return a {@link CallWatch} to follow it to its end (and around
   * its handler); calls answered at once (NOT_FOUND, BAD_REQUEST input, LIMIT_EXCEEDED) end
   * before this returns control to the socket.
   */
  callStarted?(call: CallEvent): CallWatch | undefined;

  /** A message was published from this node. */
  published?(event: PublishEvent): void;
  /** A message or presence change was queued for this node's subscribers of a channel. */
  delivered?(event: DeliveryEvent): void;
  /** A channel lost messages (broker gap or a new epoch); its subscribers were told to resync. */
  gap?(event: GapEvent): void;

  /** A volatile frame was dropped for a connection whose unsent data passed `softBufferedBytes`. */
  volatileDropped?(conn: ObservedConnection): void;
  /** A connection is being closed as a slow consumer (4009): `bufferedBytes` were unsent. */
  slowConsumer?(conn: ObservedConnection, bufferedBytes: number): void;
  /** A message found no rate token: answered RATE_LIMITED, or (`closing`) the connection closes with 4008. */
  rateLimited?(conn: ObservedConnection, closing: boolean): void;
  /** A malformed frame or message (bad JSON, binary, oversized); `closing` when it closes the connection. */
  protocolError?(conn: ObservedConnection, closing: boolean): void;

  /** The broker's link to its engine changed (brokers with `onStatus`, e.g. Redis). */
  brokerStatus?(status: BrokerStatus, error: Error | undefined): void;
}

/** One connection in a {@link ServerSnapshot}. */
export interface ConnectionSnapshot {
  /** Connection id. */
  readonly id: string;
  /** User key, if authenticated with one. */
  readonly user: string | undefined;
  /** The upgrade request's remote address. */
  readonly remoteAddress: string | undefined;
  /** When the handshake completed (server clock, ms since the epoch). */
  readonly openedAt: number;
  /** Channel keys it is subscribed to (pending ones included). */
  readonly subscriptions: readonly string[];
  /** Data queued for it and not yet taken by the kernel: ws's buffer plus the frames waiting for the next flush. */
  readonly bufferedBytes: number;
  /** Its calls whose handlers have not settled. */
  readonly callsInFlight: number;
  /** Volatile frames dropped for it under backpressure since it opened. */
  readonly droppedVolatile: number;
}

/** One channel with subscribers on this node, in a {@link ServerSnapshot}. */
export interface ChannelSnapshot {
  /** The channel key. */
  readonly key: string;
  /** Its topic. */
  readonly topic: string;
  /** Connections of this node subscribed (live or catching up). */
  readonly subscribers: number;
  /** Connections of this node in its presence. */
  readonly presence: number;
}

/** What one server node holds right now. Built on demand: costs nothing until read. */
export interface ServerSnapshot {
  /** This node's name (the server's `node` option). */
  readonly node: string;
  /** The server clock's time when the snapshot was taken. */
  readonly at: number;
  /** The broker's last reported status; undefined for brokers without `onStatus` (the in-memory one). */
  readonly broker: BrokerStatus | undefined;
  /** Open connections (handshake completed) on this node. */
  readonly connections: readonly ConnectionSnapshot[];
  /** Channels with at least one subscriber on this node. */
  readonly channels: readonly ChannelSnapshot[];
}

/** A server as observers see it: its node name, and snapshots on demand. */
export interface ObservedServer {
  /** This node's name. */
  readonly node: string;
  /** What the server holds now. */
  inspect(): ServerSnapshot;
}
