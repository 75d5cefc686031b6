/**
 * Protocol versioning. The version travels as the WebSocket subprotocol `sockkit.v<N>`
 * (`Sec-WebSocket-Protocol`), so an incompatible peer is refused before any message is read,
 * and a client knows which version the server chose on `open`, before it sends anything.
 *
 * v2 is v1 plus one promise from the server: messages sent right behind `hello`, before
 * `welcome` (at most {@link EARLY_BOUNDS}), are kept and handled in order once the handshake
 * succeeds. A v1 server answers them UNAUTHORIZED, so a client sends them early only when the
 * server chose v2.
 */

/** The protocol version this build speaks. */
export const PROTOCOL_VERSION = 2;

/** The oldest version this build still speaks (servers accept it; clients offer it too). */
export const MIN_PROTOCOL_VERSION = 1;

/** Subprotocol name for a version. */
export function subprotocolFor(version: number): string {
  return `sockkit.v${version}`;
}

/** The subprotocol of this build's version. */
export const SUBPROTOCOL = subprotocolFor(PROTOCOL_VERSION);

/** What a client offers, newest first: the server answers with the newest it speaks. */
export const OFFERED_SUBPROTOCOLS: readonly string[] = [SUBPROTOCOL, subprotocolFor(MIN_PROTOCOL_VERSION)];

/** The first version whose server keeps messages sent before `welcome`. */
export const EARLY_MESSAGES_VERSION = 2;

/**
 * What a v2 server keeps of the messages that follow `hello` before `welcome`, and refuses
 * beyond: messages, and UTF-8 bytes of the frames that carry them. A client sends at most half
 * of each as requests, leaving room for the `cancel`s of those it gives up on meanwhile.
 */
export const EARLY_BOUNDS = { messages: 16, bytes: 16 * 1024 } as const;

/** Parses `sockkit.vN` to N, or undefined for anything else. */
export function versionOf(subprotocol: string): number | undefined {
  const match = /^sockkit\.v([1-9][0-9]{0,3})$/.exec(subprotocol);
  return match ? Number(match[1]) : undefined;
}
