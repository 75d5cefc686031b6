/**
 * The bounds every message field keeps on the wire, in one place: the schemas check them, the
 * builders keep them by construction (clamping what can be clamped, refusing what cannot), and
 * the hand-written readers check the same numbers. Lengths count Unicode code points, as zod does.
 */
export const WIRE_BOUNDS = Object.freeze({
  /** Procedure and topic names. */
  name: 128,
  /** Channel keys (`topic` or `topic:{params}`). */
  channel: 1024,
  /** Epoch names. */
  epoch: 64,
  /** The `message` of an error. */
  errorMessage: 4096,
  /** The JSON text of an error's `details`; larger details are replaced by `{ truncated: true }`. */
  errorDetails: 16 * 1024,
  /** The previous session id a `hello` may carry. */
  session: 128,
  /** The most messages a `sub` may ask to receive from history (`last`). */
  history: 1000,
});

/**
 * A W3C trace context `traceparent` of version 00, as a call carries it (`tp`):
 * `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, lower case, 55 characters. Other
 * versions are not carried (a peer that does not trace ignores the field either way).
 */
export const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** Length in Unicode code points (a lone surrogate counts as one), as zod measures strings. */
export function codePoints(text: string): number {
  if (!HIGH_SURROGATE.test(text)) return text.length;
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** A string of 1 to `max` code points (`z.string().min(1).max(max)`). */
export function isText(value: unknown, max: number, min = 1): value is string {
  if (typeof value !== 'string') return false;
  const units = value.length;
  if (units < min) return false;
  return units <= max || codePoints(value) <= max;
}

/** `text` cut to at most `max` UTF-16 units without splitting a surrogate pair, marked with `…`. */
export function clampText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if ((text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
  return `${text.slice(0, end)}…`;
}
