/**
 * What happens before a socket becomes a connection: the origin check (against cross-site
 * WebSocket hijacking), protocol version negotiation through `Sec-WebSocket-Protocol`, and the
 * connection limit, which together say whether a socket is refused and why.
 */
import type { IncomingMessage } from 'node:http';
import { CLOSE_CODES, PROTOCOL_VERSION, SUBPROTOCOL } from '@sockkit/core';
import { versionOf } from '@sockkit/core/protocol';
import type { ServerOptions } from './options.js';
import type { Refusal } from './refusals.js';

/**
 * Why a socket that just completed its upgrade will not be served, if it will not: its origin
 * is not allowed (checked first: nothing else is said to a page that may be hijacking the
 * socket), it speaks no protocol version this server speaks (`protocol` is the one it was
 * answered with), or the server already holds `open` sockets of `maxConnections`.
 */
export function refusalOf(
  allowed: ServerOptions<unknown, unknown>['allowedOrigins'],
  request: IncomingMessage,
  protocol: string,
  open: number,
  maxConnections: number,
): Refusal | undefined {
  if (!originAllowed(allowed, request)) {
    return {
      code: CLOSE_CODES.ORIGIN_NOT_ALLOWED.code,
      reason: `origin not allowed by the server's allowedOrigins: ${request.headers.origin}`,
    };
  }
  if (versionOf(protocol) !== PROTOCOL_VERSION) {
    const offered = request.headers['sec-websocket-protocol'] ?? 'none';
    return {
      code: CLOSE_CODES.UNSUPPORTED_PROTOCOL.code,
      reason: `unsupported protocol (offered ${offered}; server speaks sockkit.v${PROTOCOL_VERSION})`,
    };
  }
  if (open > maxConnections)
    return { code: CLOSE_CODES.TRY_AGAIN_LATER.code, reason: 'too many connections' };
  return undefined;
}

/** Whether the upgrade's Origin is allowed. */
export function originAllowed(
  allowed: ServerOptions<unknown, unknown>['allowedOrigins'],
  request: IncomingMessage,
): boolean {
  const origin = request.headers.origin;
  if (allowed === '*') return true;
  // Only browsers send Origin, and cross-site hijacking is a browser attack; other clients
  // are for `authenticate` to judge.
  if (origin === undefined) return true;
  if (typeof allowed === 'function') return allowed(origin, request);
  if (Array.isArray(allowed)) return allowed.includes(origin);
  // Default: same origin only: the Origin's host must be the Host the request was sent to.
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * Picks the subprotocol to answer with. The server always completes the upgrade with one of
 * the client's offers when it made any (a browser fails a socket answered with no protocol, or
 * with one it did not offer, and then never sees the close code), and `supported` tells
 * whether it is one this server speaks; if not, the socket is closed at once with 4003 and a
 * reason naming both sides' versions. Offers need not look like `sockkit.vN`: `evil.v9` and
 * `sockkit.v0` are echoed too, and refused the same way.
 */
export function negotiate(offered: Set<string>): { protocol: string | false; supported: boolean } {
  if (offered.has(SUBPROTOCOL)) return { protocol: SUBPROTOCOL, supported: true };
  for (const candidate of offered) {
    if (versionOf(candidate) !== undefined) return { protocol: candidate, supported: false };
  }
  const first = offered.values().next();
  return { protocol: first.done ? false : first.value, supported: false };
}
