/**
 * Protocol versioning. The version travels as the WebSocket subprotocol `sockkit.v<N>`
 * (`Sec-WebSocket-Protocol`), so an incompatible peer is refused before any message is read.
 */

/** The protocol version this build speaks. */
export const PROTOCOL_VERSION = 1;

/** Subprotocol name for a version. */
export function subprotocolFor(version: number): string {
  return `sockkit.v${version}`;
}

/** The subprotocol this build offers and accepts. */
export const SUBPROTOCOL = subprotocolFor(PROTOCOL_VERSION);

/** Parses `sockkit.vN` to N, or undefined for anything else. */
export function versionOf(subprotocol: string): number | undefined {
  const match = /^sockkit\.v([1-9][0-9]{0,3})$/.exec(subprotocol);
  return match ? Number(match[1]) : undefined;
}
