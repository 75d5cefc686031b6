/**
 * What happens before a socket becomes a connection: the origin check (against cross-site
 * WebSocket hijacking), protocol version negotiation through `Sec-WebSocket-Protocol`, and the
 * connection limit, which together say whether a socket is refused and why.
 */
import type { IncomingMessage } from 'node:http';
import { CLOSE_CODES, type Limits, PROTOCOL_VERSION } from '@sockkit/core';
import { EARLY_BOUNDS, EARLY_MESSAGES_VERSION, subprotocolFor, versionOf } from '@sockkit/core/protocol';
import type { ServerOptions, UpgradeRequest } from './options.js';
import type { Refusal } from './refusals.js';

/**
 * The versions a server with these limits speaks, newest first. v2 promises to keep the
 * messages a client sends before `welcome` (EARLY_BOUNDS) and to run them as if they came
 * after it; a server whose limits are below those bounds could not run them all, so it speaks
 * v1 only and its clients wait for `welcome`, as before v2.
 */
export function versionsFor(limits: Limits): readonly number[] {
  const keepsEarly =
    limits.maxCallsInFlight >= EARLY_BOUNDS.messages &&
    limits.messageBurst >= EARLY_BOUNDS.messages + 1 &&
    limits.maxMessageBytes >= EARLY_BOUNDS.bytes;
  const versions: number[] = [];
  for (let v = PROTOCOL_VERSION; v >= 1; v--) if (v < EARLY_MESSAGES_VERSION || keepsEarly) versions.push(v);
  return versions;
}

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
  versions: readonly number[],
  open: number,
  maxConnections: number,
): Refusal | undefined {
  if (!originAllowed(allowed, request)) {
    return {
      code: CLOSE_CODES.ORIGIN_NOT_ALLOWED.code,
      reason: `origin not allowed by the server's allowedOrigins: ${request.headers.origin}`,
    };
  }
  const version = versionOf(protocol);
  if (version === undefined || !versions.includes(version)) {
    const offered = request.headers['sec-websocket-protocol'] ?? 'none';
    const speaks = versions.map(subprotocolFor).join(', ');
    return {
      code: CLOSE_CODES.UNSUPPORTED_PROTOCOL.code,
      reason: `unsupported protocol (offered ${offered}; server speaks ${speaks})`,
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
 * Picks the subprotocol to answer with: the newest of `versions` the client offered. The
 * server always completes the upgrade with one of the client's offers when it made any (a browser fails a socket answered with no protocol, or
 * with one it did not offer, and then never sees the close code), and `supported` tells
 * whether it is one this server speaks; if not, the socket is closed at once with 4003 and a
 * reason naming both sides' versions. Offers need not look like `sockkit.vN`: `evil.v9` and
 * `sockkit.v0` are echoed too, and refused the same way.
 */
export function negotiate(
  offered: Set<string>,
  versions: readonly number[],
): { protocol: string | false; supported: boolean } {
  for (const version of versions) {
    const protocol = subprotocolFor(version);
    if (offered.has(protocol)) return { protocol, supported: true };
  }
  for (const candidate of offered) {
    if (versionOf(candidate) !== undefined) return { protocol: candidate, supported: false };
  }
  const first = offered.values().next();
  return { protocol: first.done ? false : first.value, supported: false };
}

/** Headers of the WebSocket handshake itself: they describe the socket, not the client. */
const HANDSHAKE_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/**
 * What a connection keeps of its upgrade request for `authenticate` (again at every refresh)
 * and `conn.request`: the headers without the handshake's own, whose values are strings of
 * every connection's (about 250 B of an idle connection's heap), the URL and the peer address.
 */
export function keptRequest(request: IncomingMessage): UpgradeRequest {
  const headers: IncomingMessage['headers'] = {};
  const all = request.headers;
  // Object.keys, not entries: no [name, value] pair allocated per header on the connect path.
  for (const name of Object.keys(all)) if (!HANDSHAKE_HEADERS.has(name)) headers[name] = all[name];
  return { headers, url: request.url ?? '/', remoteAddress: request.socket.remoteAddress };
}
