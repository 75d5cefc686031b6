/**
 * Payload codec: turns a value into JSON text (`json`) plus optional metadata (`meta`) that
 * restores what JSON cannot hold. The default is superjson (Date, Map, Set, BigInt, undefined,
 * RegExp, NaN/±Infinity, and Uint8Array as base64), with a fast path: a value that is plain
 * JSON skips superjson entirely and costs one JSON.stringify.
 */
import SuperJSON from 'superjson';
import { SockkitError } from './errors.js';

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

/**
 * Why `meta` cannot be superjson metadata, or undefined when its shape fits. superjson trusts
 * the shape while it walks the metadata: a string where it expects a tree recurses until the
 * stack overflows, about 4 ms of CPU per message. A receiver checks what a peer sent first
 * (the server does; see `@sockkit/server`'s peer codec). Nesting is bounded for the same reason.
 */
export function superjsonMetaIssue(meta: unknown): string | undefined {
  if (!isRecord(meta)) return 'metadata is not an object';
  if (meta.v !== undefined && typeof meta.v !== 'number') return 'metadata version is not a number';
  if (meta.values !== undefined && !isValueTree(meta.values, 0)) return 'malformed value annotations';
  const equal = meta.referentialEqualities;
  if (equal !== undefined && !(Array.isArray(equal) ? isRootEqualities(equal) : isPathLists(equal)))
    return 'malformed referential equalities';
  return undefined;
}

const MAX_META_DEPTH = 32;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStrings = (value: unknown): boolean =>
  Array.isArray(value) && value.every((s) => typeof s === 'string');

/** `[type]`, `[type, children]` or children, where a type is a name or `[kind, name]`. */
function isValueTree(tree: unknown, depth: number): boolean {
  if (depth > MAX_META_DEPTH) return false;
  if (!Array.isArray(tree)) return isChildTrees(tree, depth);
  const [type, children] = tree;
  const typeOk = typeof type === 'string' || (isStrings(type) && (type as string[]).length === 2);
  return typeOk && (tree.length === 1 || (tree.length === 2 && isChildTrees(children, depth)));
}

function isChildTrees(tree: unknown, depth: number): boolean {
  if (!isRecord(tree)) return false;
  for (const key in tree) if (!isValueTree(tree[key], depth + 1)) return false;
  return true;
}

/** `[rootPaths]` or `[rootPaths, pathLists]`. */
function isRootEqualities(value: unknown[]): boolean {
  return isStrings(value[0]) && (value.length === 1 || (value.length === 2 && isPathLists(value[1])));
}

function isPathLists(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const key in value) if (!isStrings(value[key])) return false;
  return true;
}

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
