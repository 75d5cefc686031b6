/**
 * The seam between the server's modules and a socket: what calls, topics, client calls and
 * the heartbeat may do with a connection. They write frames and errors, close it, ping it and
 * read its identity; each keeps its own tables (calls in flight, channels, liveness) instead
 * of writing into the connection.
 */
import type { WireError } from '@sockkit/core';
import type { Logger } from './logger.js';
import type { ObservedConnection } from './observer.js';
import type { ServerConnection } from './options.js';

/** A connection as the server's modules see it. */
export interface Peer extends ObservedConnection {
  /** Auth context from `authenticate`. */
  readonly auth: unknown;
  /** Whether the handshake completed and the socket is still up. */
  readonly open: boolean;
  /** The server's logger bound to this connection (`conn`, `user`): a pino child logger, say. */
  readonly log: Logger;
  /** The typed view of this connection that handlers and hooks receive. */
  readonly facade: ServerConnection;
  /**
   * Queues a frame (one message's text) for the next flush. Volatile frames are the first
   * dropped under backpressure; any frame that would pass `maxBufferedBytes` closes the
   * connection as a slow consumer instead.
   */
  send(frame: string, volatile?: boolean): void;
  /** Queues an error frame about request `id` (or about a frame as a whole). */
  sendError(id: number | undefined, error: WireError): void;
  /**
   * Queues frames the client asked for (history replay): never counted as slow reading.
   * Resolves once the socket has drained enough to take more.
   */
  sendPaced(frames: readonly string[]): Promise<void>;
  /** Closes with a WebSocket close code. */
  close(code: number, reason: string): void;
  /** Sends a WebSocket ping frame. */
  ping(): void;
  /** Cuts the socket without a close handshake (a peer that stopped answering cannot do one). */
  terminate(): void;
}
