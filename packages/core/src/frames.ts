/**
 * Frame text builders and the frame reader. Builders splice pre-encoded payloads into
 * templates, so a payload is serialised once however many frames carry it. The reader parses
 * defensively: any JSON text is accepted here, and the envelope schemas decide validity.
 */
import type { EncodedPayload } from './codec.js';
import type { WireError } from './errors.js';

/** `,"d":…,"m":…` for a payload, or '' for no value. */
export function payloadFields(payload: EncodedPayload): string {
  let out = payload.json === undefined ? '' : `,"d":${payload.json}`;
  if (payload.meta !== undefined) out += `,"m":${payload.meta}`;
  return out;
}

/** A `call` frame. */
export function callFrame(id: number, procedure: string, payload: EncodedPayload): string {
  return `{"t":"call","id":${id},"p":${JSON.stringify(procedure)}${payloadFields(payload)}}`;
}

/** A `result` frame. */
export function resultFrame(id: number, payload: EncodedPayload): string {
  return `{"t":"result","id":${id}${payloadFields(payload)}}`;
}

/** An `error` frame; without `id` it concerns the frame as a whole. */
export function errorFrame(id: number | undefined, error: WireError): string {
  return id === undefined
    ? `{"t":"error","e":${JSON.stringify(error)}}`
    : `{"t":"error","id":${id},"e":${JSON.stringify(error)}}`;
}

/** A `msg` frame for a topic message; `channelJson` is the channel already JSON-quoted. */
export function messageFrame(
  channelJson: string,
  epochJson: string,
  offset: number | undefined,
  payload: EncodedPayload,
): string {
  const o = offset === undefined ? '' : `,"o":${offset}`;
  return `{"t":"msg","c":${channelJson},"e":${epochJson}${o}${payloadFields(payload)}}`;
}

/** Joins frames queued in one tick into one batch frame (a JSON array of messages). */
export function batchFrame(frames: readonly string[]): string {
  return frames.length === 1 ? frames[0]! : `[${frames.join(',')}]`;
}

/** Why a frame could not be read. */
export type FrameReadError = 'binary' | 'json' | 'shape';

/** Parses a text frame into its raw messages (one, or several for a batch), still to be validated. */
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

/**
 * Reads the call id of a frame too large to parse, from its first bytes, so the caller's
 * pending call can be failed with PAYLOAD_TOO_LARGE instead of timing out.
 */
export function peekCallId(text: string): number | undefined {
  const match = /^\s*\{\s*"t"\s*:\s*"(?:call|pub|pset|sub|auth)"\s*,\s*"id"\s*:\s*(\d{1,15})\b/.exec(
    text.slice(0, 96),
  );
  return match ? Number(match[1]) : undefined;
}
