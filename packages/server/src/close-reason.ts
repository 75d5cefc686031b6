/** WebSocket close reasons: at most 123 bytes of UTF-8 (ws throws on longer ones). */

/** `reason` cut to fit a close frame, without splitting a character. */
export function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= 123) return reason;
  return `${bytes
    .subarray(0, 120)
    .toString()
    .replace(/\uFFFD$/, '')}...`;
}
