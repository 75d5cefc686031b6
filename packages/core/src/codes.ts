/**
 * Every stable code sockkit puts on the wire, in one place: error codes carried by
 * `SockkitError` and error frames, and WebSocket close codes with what a client does next.
 * Codes are part of the public API: they never change meaning, new ones are only added.
 */

/** Error codes, with whether retrying the same request later may succeed. */
export const ERROR_CODES = {
  /**
   * The message or its input failed validation (`details.issues` lists zod issues); as a
   * client's final error, the server speaks none of the protocol versions it offered (close 4003).
   */
  BAD_REQUEST: { retryable: false },
  /** No valid credentials: the handshake or a refresh was refused. */
  UNAUTHORIZED: { retryable: false },
  /**
   * Not allowed to do this: an authorize hook said no; or, as a client's final error, its page's
   * origin was refused (close 4005) or the server disconnected it (close 4006).
   */
  FORBIDDEN: { retryable: false },
  /** Unknown procedure, topic or resource. */
  NOT_FOUND: { retryable: false },
  /** The request conflicts with current state (e.g. a stale document version). */
  CONFLICT: { retryable: false },
  /** No answer within the deadline. */
  TIMEOUT: { retryable: true },
  /** The caller aborted the request. */
  CANCELLED: { retryable: false },
  /** The message is larger than the peer accepts. */
  PAYLOAD_TOO_LARGE: { retryable: false },
  /** Too many messages per second; `details.retryAfterMs` says when to try again. */
  RATE_LIMITED: { retryable: true },
  /** A per-connection limit (calls in flight, subscriptions, queued calls) is reached. */
  LIMIT_EXCEEDED: { retryable: true },
  /** Not connected, or a service the server needs (e.g. its broker) is unreachable. */
  UNAVAILABLE: { retryable: true },
  /** The handler failed; the server logged the cause, the wire carries no detail. */
  INTERNAL: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

/** A stable error code string, e.g. `'BAD_REQUEST'`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** All error codes, for validation of inbound error frames. */
export const errorCodeList = /* @__PURE__ */ Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** Whether `code` names a known error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The close code of a deliberate close (`CLOSE_CODES.NORMAL`), for a client that needs no table. */
export const NORMAL_CLOSE = 1000;
/** The close code of a dead link (`CLOSE_CODES.HEARTBEAT_TIMEOUT`), for a client that needs no table. */
export const HEARTBEAT_TIMEOUT_CLOSE = 4010;

/**
 * The close codes after which a client stops rather than reconnects, with the error code it
 * reports them with: the entries of {@link CLOSE_CODES} that have an `error` (test/errors.test.ts
 * holds the two to each other). {@link finalCloseError} reads only this, so a browser bundle
 * holds these five entries rather than the whole table, which bundlers keep whole once used.
 */
const FINAL_CLOSES = {
  [NORMAL_CLOSE]: 'UNAVAILABLE',
  4001: 'UNAUTHORIZED',
  4003: 'BAD_REQUEST',
  4005: 'FORBIDDEN',
  4006: 'FORBIDDEN',
} as const satisfies Record<number, ErrorCode>;

/**
 * WebSocket close codes sockkit uses. `reconnect` says whether a client reconnects by itself
 * after it (codes not listed here are treated as transient and reconnected too); a code after
 * which it stops names the `error` code the client reports it with (the close reason is the
 * error's message, `details.closeCode` the close code).
 */
export const CLOSE_CODES = {
  /** The peer closed on purpose (`client.close()` / `conn.close()`). */
  NORMAL: { code: NORMAL_CLOSE, reconnect: false, error: 'UNAVAILABLE' },
  /** The server is going away without restart (process exit). */
  GOING_AWAY: { code: 1001, reconnect: true },
  /** A frame exceeded the hard frame limit (`limits.maxFrameBytes`), closed by ws itself. */
  MESSAGE_TOO_BIG: { code: 1009, reconnect: true },
  /** The server hit an unexpected error on this connection. */
  INTERNAL_ERROR: { code: 1011, reconnect: true },
  /** Graceful shutdown: reconnect to whatever serves the URL next. */
  SERVICE_RESTART: { code: 1012, reconnect: true },
  /** The server is at `limits.maxConnections`; try again later. */
  TRY_AGAIN_LATER: { code: 1013, reconnect: true },
  /** Repeated malformed frames (see `limits.maxProtocolErrors`). */
  PROTOCOL_ERROR: { code: 4000, reconnect: true },
  /** The handshake's credentials were refused. Reconnecting with the same credentials would fail again. */
  UNAUTHORIZED: { code: 4001, reconnect: false, error: 'UNAUTHORIZED' },
  /** The session's expiry passed without an in-band refresh; a reconnect authenticates afresh. */
  SESSION_EXPIRED: { code: 4002, reconnect: true },
  /** The client offered no protocol version the server speaks. */
  UNSUPPORTED_PROTOCOL: { code: 4003, reconnect: false, error: 'BAD_REQUEST' },
  /** The socket did not complete the sockkit handshake in time (`limits.handshakeTimeoutMs`). */
  HANDSHAKE_TIMEOUT: { code: 4004, reconnect: true },
  /**
   * The page's origin is not in the server's `allowedOrigins`. Sent right after the upgrade,
   * before anything is read, because a browser never shows a page the status of a refused one.
   */
  ORIGIN_NOT_ALLOWED: { code: 4005, reconnect: false, error: 'FORBIDDEN' },
  /** The server disconnected this connection on purpose (`server.user(key).disconnect(reason)`). */
  DISCONNECTED: { code: 4006, reconnect: false, error: 'FORBIDDEN' },
  /** Sustained rate-limit abuse after RATE_LIMITED replies. */
  RATE_LIMITED: { code: 4008, reconnect: true },
  /** The client read too slowly: its outbound buffer passed `limits.maxBufferedBytes`. */
  SLOW_CONSUMER: { code: 4009, reconnect: true },
  /** The peer missed heartbeats (client side: no pong to its ping in time). */
  HEARTBEAT_TIMEOUT: { code: HEARTBEAT_TIMEOUT_CLOSE, reconnect: true },
} as const satisfies Record<string, { code: number; reconnect: boolean; error?: ErrorCode }>;

/** A named close code, e.g. `'SLOW_CONSUMER'`. */
export type CloseReason = keyof typeof CLOSE_CODES;

/**
 * The error code a client stops with after the socket closed with `code`, or undefined when it
 * reconnects (every code not listed in {@link CLOSE_CODES} is taken as transient).
 */
export function finalCloseError(code: number): ErrorCode | undefined {
  return Object.hasOwn(FINAL_CLOSES, code) ? FINAL_CLOSES[code as keyof typeof FINAL_CLOSES] : undefined;
}
