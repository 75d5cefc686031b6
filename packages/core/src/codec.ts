/**
 * Payload codec: turns a value into JSON text (`json`) plus optional metadata (`meta`) that
 * restores what JSON cannot hold. The default is superjson (Date, Map, Set, BigInt, undefined,
 * RegExp, NaN/±Infinity, and Uint8Array as base64), with a fast path: a value that is plain
 * JSON skips superjson entirely and costs one JSON.stringify. What a peer sent is checked
 * before superjson decodes it: see codec-budget.ts.
 */
import SuperJSON from 'superjson';
import { SockkitError } from './errors.js';

export { SUPERJSON_DECODE_BUDGET, type SuperjsonDecodeBudget, superjsonMetaIssue } from './codec-budget.js';

/** A value encoded once, ready to be spliced into any number of frames. */
export interface EncodedPayload {
  /** JSON text of the value (may be `undefined` for no value). */
  readonly json: string | undefined;
  /** JSON text of the codec metadata, absent when the value is plain JSON. */
  readonly meta: string | undefined;
}

/**
 * Encodes and decodes payload values. Both sides of a connection must use the same codec;
 * the default is {@link superjsonCodec}.
 */
export interface Codec {
  /** Encodes a value. */
  encode(value: unknown): EncodedPayload;
  /**
   * Decodes a parsed `d` field and parsed `m` field back into a value. Both come from the
   * peer: throw a `BAD_REQUEST` SockkitError for what cannot be decoded (the server treats
   * anything else thrown here the same way, so a bad frame never turns into INTERNAL).
   * Callers pass a freshly parsed `json` and do not use it afterwards, so a codec may build
   * the value in it ({@link superjsonCodec} does).
   */
  decode(json: unknown, meta: unknown): unknown;
}

const sj = new SuperJSON();
sj.registerCustom<Uint8Array, string>(
  {
    isApplicable: (value): value is Uint8Array => value instanceof Uint8Array,
    serialize: (value) => bytesToBase64(value),
    deserialize: (value) => base64ToBytes(value),
  },
  'u8',
);

/** The default codec, on superjson. */
export const superjsonCodec: Codec = {
  encode(value) {
    if (value === undefined) return NO_VALUE;
    if (isPlainJson(value, 0)) return { json: JSON.stringify(value), meta: undefined };
    const { json, meta } = sj.serialize(value);
    return { json: JSON.stringify(json), meta: meta === undefined ? undefined : JSON.stringify(meta) };
  },
  decode(json, meta) {
    if (meta === undefined || meta === null) return json;
    try {
      // superjson's types want its own JSON type; the envelope already parsed these as JSON.
      // In place: `json` comes from a frame parsed for this one decode, so copying it is waste.
      return sj.deserialize({ json: json as never, meta: meta as never }, { inPlace: true });
    } catch (error) {
      throw new SockkitError('BAD_REQUEST', 'payload metadata does not fit the payload', { cause: error });
    }
  },
};

const NO_VALUE: EncodedPayload = { json: undefined, meta: undefined };
const MAX_FAST_PATH_DEPTH = 64;

/**
 * True when JSON.stringify/parse round-trips `value` exactly: only null, booleans, finite
 * numbers, strings, arrays and plain objects, with no `undefined` members.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_FAST_PATH_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Base64 without Node's Buffer, so the client bundle stays free of Node built-ins.
function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
