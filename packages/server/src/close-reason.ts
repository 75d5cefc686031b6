/**
 * Closing a WebSocket from the server: reasons cut to the 123 bytes of UTF-8 a close frame
 * holds (ws throws on longer ones), and the grace a peer gets to complete the close.
 */

/** After a close frame, how long a peer that does not read gets before its socket is destroyed. */
export const CLOSE_GRACE_MS = 1_000;

/** `reason` cut to fit a close frame, without splitting a character. */
export function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= 123) return reason;
  return `${bytes
    .subarray(0, 120)
    .toString()
    .replace(/\uFFFD$/, '')}...`;
}
