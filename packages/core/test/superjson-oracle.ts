/**
 * A counting replica of superjson 2.2's in-place deserialize (plainer.js, accessDeep.js,
 * pathstringifier.js), for tests: it decodes exactly as superjson does (the tests compare its
 * result with the codec's) and counts the work superjson does on the way, so that the budget
 * check's estimate can be held against the real thing without timing anything. Each value is
 * restored by the codec itself (a root annotation: superjson then calls its untransform and
 * nothing else), so custom types behave as in production; that relies on the codec decoding in
 * place, as a copy would drop what superjson wrote on an array besides its elements.
 */
import { superjsonCodec } from '../src/codec.js';

/** superjson's work, in the units the budget bounds. */
export interface OracleWork {
  /** Paths superjson builds: value-tree nodes and referential-equality paths. */
  annotations: number;
  /** Path elements copied (traverse), scanned (validatePath) and stepped over (get/setDeep). */
  pathSteps: number;
  /** Entries getNthKey steps over. */
  collectionSteps: number;
  /** Longest string handed to BigInt(). */
  longestBigInt: number;
}

interface Meta {
  v?: number;
  values?: unknown;
  referentialEqualities?: unknown;
}
type Tree = [unknown, Record<string, unknown>?] | Record<string, unknown>;

/** Decodes `json` in place as superjson would, counting into `work` (also when it throws). */
export function replaySuperjson(json: unknown, meta: Meta, work: OracleWork): unknown {
  if (meta.v !== 1) throw new Error('the oracle replays version 1 paths only');
  let plain = json;
  if (meta.values) {
    const walker = (type: unknown, path: string[]) => {
      plain = setDeep(work, plain, path, (v) => untransform(work, v, type));
    };
    if (Array.isArray(meta.values)) work.annotations++;
    traverse(work, meta.values as Tree, walker, []);
  }
  const equal = meta.referentialEqualities;
  if (equal) {
    const apply = (identical: string[], path: string) => {
      work.annotations += 1 + identical.length;
      const object = getDeep(work, plain, parsePath(path));
      for (const p of identical.map((i) => parsePath(i))) plain = setDeep(work, plain, p, () => object);
    };
    if (Array.isArray(equal)) {
      const [root, other] = equal as [string[], Record<string, string[]>?];
      work.annotations += root.length;
      for (const p of root) plain = setDeep(work, plain, parsePath(p), () => plain);
      if (other) for (const [path, identical] of Object.entries(other)) apply(identical, path);
    } else for (const [path, identical] of Object.entries(equal as object)) apply(identical, path);
  }
  return plain;
}

function untransform(work: OracleWork, value: unknown, type: unknown): unknown {
  if (type === 'bigint' && typeof value === 'string')
    work.longestBigInt = Math.max(work.longestBigInt, value.length);
  // A root annotation makes superjson call untransformValue(value, type) and nothing else.
  return superjsonCodec.decode(value, { values: [type], v: 1 });
}

function traverse(
  work: OracleWork,
  tree: Tree | undefined,
  walker: (type: unknown, path: string[]) => void,
  origin: string[],
): void {
  if (!tree) return;
  const descend = (children: Record<string, unknown>) => {
    for (const [key, subtree] of Object.entries(children)) {
      const path = [...origin, ...parsePath(key)];
      work.annotations++;
      work.pathSteps += path.length;
      traverse(work, subtree as Tree, walker, path);
    }
  };
  if (!Array.isArray(tree)) return descend(tree);
  const [nodeValue, children] = tree;
  if (children) descend(children);
  walker(nodeValue, origin);
}

/** Parsing is linear in the message; only the path it yields is counted, where it is used. */
function parsePath(string: string): string[] {
  const result: string[] = [];
  let segment = '';
  for (let i = 0; i < string.length; i++) {
    const char = string.charAt(i);
    if (char === '\\') {
      const escaped = string.charAt(i + 1);
      if (escaped === '\\') {
        segment += '\\';
        i++;
        continue;
      }
      if (escaped !== '.') throw Error('invalid path');
    }
    if (char === '\\' && string.charAt(i + 1) === '.') {
      segment += '.';
      i++;
      continue;
    }
    if (char === '.') {
      result.push(segment);
      segment = '';
      continue;
    }
    segment += char;
  }
  result.push(segment);
  return result;
}

function validatePath(work: OracleWork, path: string[]): void {
  for (const forbidden of ['__proto__', 'prototype', 'constructor']) {
    const at = path.indexOf(forbidden);
    work.pathSteps += at === -1 ? path.length : at + 1;
    if (at !== -1) throw new Error(`${forbidden} is not allowed as a property`);
  }
}

function getNthKey(work: OracleWork, value: Set<unknown> | Map<unknown, unknown>, n: number): unknown {
  if (n > value.size) throw new Error('index out of bounds');
  const keys = value.keys();
  while (n > 0) {
    work.collectionSteps++;
    keys.next();
    n--;
  }
  return keys.next().value;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || value === Object.prototype) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
};

function getDeep(work: OracleWork, object: unknown, path: string[]): unknown {
  validatePath(work, path);
  let at = object as Record<string, unknown>;
  for (let i = 0; i < path.length; i++) {
    work.pathSteps++;
    const key = path[i]!;
    if (at instanceof Set) at = getNthKey(work, at, +key) as Record<string, unknown>;
    else if (at instanceof Map) {
      const row = +key;
      const type = +path[++i]! === 0 ? 'key' : 'value';
      const keyOfRow = getNthKey(work, at, row);
      at = (type === 'key' ? keyOfRow : at.get(keyOfRow)) as Record<string, unknown>;
    } else at = at[key] as Record<string, unknown>;
  }
  return at;
}

function setDeep(
  work: OracleWork,
  object: unknown,
  path: string[],
  mapper: (v: unknown) => unknown,
): unknown {
  validatePath(work, path);
  if (path.length === 0) return mapper(object);
  let parent: unknown = object;
  for (let i = 0; i < path.length - 1; i++) {
    work.pathSteps++;
    const key = path[i]!;
    if (Array.isArray(parent)) parent = parent[+key];
    else if (isPlainObject(parent)) parent = parent[key];
    else if (parent instanceof Set) parent = getNthKey(work, parent, +key);
    else if (parent instanceof Map) {
      if (i === path.length - 2) break;
      const row = +key;
      const type = +path[++i]! === 0 ? 'key' : 'value';
      const keyOfRow = getNthKey(work, parent, row);
      parent = type === 'key' ? keyOfRow : parent.get(keyOfRow);
    }
  }
  const lastKey = path[path.length - 1]!;
  if (Array.isArray(parent)) parent[+lastKey] = mapper(parent[+lastKey]);
  else if (isPlainObject(parent)) parent[lastKey] = mapper(parent[lastKey]);
  if (parent instanceof Set) {
    const oldValue = getNthKey(work, parent, +lastKey);
    const newValue = mapper(oldValue);
    if (oldValue !== newValue) {
      parent.delete(oldValue);
      parent.add(newValue);
    }
  }
  if (parent instanceof Map) {
    const keyToRow = getNthKey(work, parent, +path[path.length - 2]!);
    if (+lastKey === 0) {
      const newKey = mapper(keyToRow);
      parent.set(newKey, parent.get(keyToRow));
      if (newKey !== keyToRow) parent.delete(keyToRow);
    } else parent.set(keyToRow, mapper(parent.get(keyToRow)));
  }
  return object;
}
