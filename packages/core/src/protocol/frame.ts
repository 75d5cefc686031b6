/**
 * Frames as a whole: a frame is the JSON text of one message or of a batch (a non-empty array
 * of messages). Reading parses defensively (any JSON is accepted here; the readers of each
 * kind decide validity); batching joins message texts; splitting keeps each frame within the
 * peer's byte limit.
 */

/** Why a frame could not be read. */
export type FrameReadError = 'json' | 'shape';

/** Parses a text frame into its raw messages (one, or several for a batch), still to be checked. */
export function readFrame(text: string): unknown[] | FrameReadError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'json';
  }
  if (Array.isArray(value)) return value.length === 0 ? 'shape' : value;
  return typeof value === 'object' && value !== null ? [value] : 'shape';
}

/** Joins message texts queued in one tick into one frame (a JSON array when there are several). */
export function batchFrame(messages: readonly string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(',')}]`;
}

/**
 * Groups message texts into frames of at most `maxBytes` UTF-8 bytes each, in order. A message
 * that alone exceeds the limit travels alone (the peer answers it with PAYLOAD_TOO_LARGE).
 */
export function splitBatches(messages: readonly string[], maxBytes: number): string[][] {
  // Three bytes per UTF-16 unit bound UTF-8 from above: most batches need no counting.
  let units = 2;
  for (const message of messages) units += message.length + 1;
  if (units * 3 <= maxBytes) return [messages as string[]];
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 1; // '['
  for (const message of messages) {
    const size = utf8Length(message) + 1; // ',' or ']'
    if (batch.length > 0 && bytes + size > maxBytes) {
      batches.push(batch);
      batch = [];
      bytes = 1;
    }
    batch.push(message);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** UTF-8 byte length of `text` (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if ((code & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // 4 bytes for 2 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Reads the request id of a single message too large to parse, from its first bytes, so the
 * peer's pending request can be failed with PAYLOAD_TOO_LARGE instead of timing out.
 */
export function peekRequestId(text: string): number | undefined {
  const match =
    /^\s*\{\s*"t"\s*:\s*"(?:call|stream|chunk|pub|pset|sub|unsub|auth)"\s*,\s*"id"\s*:\s*(\d{1,15})\b/.exec(
      text.slice(0, 96),
    );
  return match ? Number(match[1]) : undefined;
}
