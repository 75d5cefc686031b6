/**
 * The check a receiver runs on superjson metadata from a peer before superjson walks it: its
 * shape, and the CPU decoding it would cost. superjson trusts the shape (a string where it
 * expects a tree recurses until the stack overflows), and its work does not follow the size
 * of the message: for every annotation it copies the whole path (ancestors included) and walks
 * it from the root, it reaches index n of a Set or Map by stepping over n entries, and BigInt
 * parsing is superlinear in the digits.
 *
 * The check replays superjson 2's decoding (plainer.js, accessDeep.js) over the parsed `d`
 * without building anything: paths are walked through `d` itself, and a map from (container,
 * key) to what superjson put there stands for the values it restored and the references it
 * made. Value annotations must each name a member of `d` that no earlier annotation restored
 * or walked past, as superjson's own output does (children come before their parent), which
 * keeps Sets and Maps out of the value phase. Referential-equality paths may go through Sets
 * and Maps: each index taken in one is charged; where the replay cannot tell what a path
 * stands in (inside a Set or Map, or after a write it could not place) every numeric segment
 * is charged. The check walks each key of the metadata once, and stops at the first bound
 * exceeded.
 */
import { elementAt, isCanonicalIndex, isPlainObject, parseEscaped, splitAtDots } from './codec-paths.js';

/** Bounds on the work of decoding one payload's superjson metadata; see {@link SUPERJSON_DECODE_BUDGET}. */
export interface SuperjsonDecodeBudget {
  /** Annotations: nodes of the value tree plus referential-equality paths. */
  readonly maxAnnotations: number;
  /** Segments in one annotation's path; a value node's path includes its ancestors' paths. */
  readonly maxPathSegments: number;
  /** Path segments summed over all annotations (superjson copies and walks each whole path). */
  readonly maxTotalPathSegments: number;
  /** Entries superjson steps over to reach indexes in Sets and Maps, summed. */
  readonly maxCollectionSteps: number;
  /** Characters of one BigInt's decimal string in `d`. */
  readonly maxBigIntChars: number;
}

/**
 * The default budget. At these bounds the worst metadata a 1 MiB message can carry costs
 * superjson about 11 ms of CPU on a 2-core VM (`bench/codec-cpu.mjs`), while realistic values
 * pass: 10,000 Dates in an array, a Set or Map of thousands of Dates, thousands of objects
 * sharing references, BigInts of up to 13,000 bits.
 */
export const SUPERJSON_DECODE_BUDGET: SuperjsonDecodeBudget = /* @__PURE__ */ Object.freeze({
  maxAnnotations: 20_000,
  maxPathSegments: 64,
  maxTotalPathSegments: 200_000,
  maxCollectionSteps: 2_000_000,
  maxBigIntChars: 4096,
});

/** The work counted against a {@link SuperjsonDecodeBudget}. */
export interface SuperjsonDecodeWork {
  annotations: number;
  pathSegments: number;
  collectionSteps: number;
  longestBigInt: number;
}

/**
 * Why superjson should not decode `meta` over `json` (the parsed `d` it came with), or
 * undefined when it may: metadata of the wrong shape or nested deeper than 32 levels, of a
 * version other than 1 (what superjson 2 writes; older versions parse paths differently), that
 * superjson would never write (a path that is not in `d`, an annotation under a value already
 * restored, a Set, Map or typed array of something other than an array), or that would cost
 * more than {@link SUPERJSON_DECODE_BUDGET} allows. The server checks what a peer sent with
 * it (see `@sockkit/server`'s peer codec).
 */
export function superjsonMetaIssue(meta: unknown, json: unknown): string | undefined {
  const measured = measureSuperjsonDecode(meta, json);
  return 'issue' in measured ? measured.issue : undefined;
}

/** {@link superjsonMetaIssue} with the work counted, against any budget (for tests and benchmarks). */
export function measureSuperjsonDecode(
  meta: unknown,
  json: unknown,
  budget: SuperjsonDecodeBudget = SUPERJSON_DECODE_BUDGET,
): { work: SuperjsonDecodeWork } | { issue: string } {
  if (!isRecord(meta)) return { issue: 'metadata is not an object' };
  if (meta.v !== 1) return { issue: 'metadata version is not 1' };
  const replay = new Replay(budget, json);
  try {
    if (meta.values !== undefined) replay.values(meta.values);
    if (meta.referentialEqualities !== undefined) replay.equalities(meta.referentialEqualities);
  } catch (error) {
    if (error instanceof Refusal) return { issue: error.message };
    throw error;
  }
  return { work: replay.work };
}

class Refusal extends Error {}
const MALFORMED_VALUES = 'malformed value annotations';
const MALFORMED_EQUALITIES = 'malformed referential equalities';
const NOT_IN_VALUE = 'an annotation path is not in the value';
const MAX_META_DEPTH = 32;

/** What superjson restored at a place: a parsed JSON value stands for itself. */
class Restored {}
const SET = /* @__PURE__ */ new Restored();
const MAP = /* @__PURE__ */ new Restored();
/** Any other restored value: setDeep stops at it, getDeep may read its properties. */
const OPAQUE = /* @__PURE__ */ new Restored();
/** Somewhere in a Set or Map, or wherever a write went that the replay could not place. */
const UNKNOWN = /* @__PURE__ */ new Restored();
type Place = unknown;
/** Nothing placed there: what `d` holds is what is there. */
const ABSENT: unique symbol = Symbol('absent');
/** An element index in an array, a member name in an object. */
type Key = number | string;

/** A member of `d` a value annotation names: `container[key]`, or the root. */
interface Cursor {
  readonly container: object | undefined;
  readonly key: Key;
  readonly value: unknown;
  readonly depth: number;
}

class Replay {
  readonly work: SuperjsonDecodeWork = {
    annotations: 0,
    pathSegments: 0,
    collectionSteps: 0,
    longestBigInt: 0,
  };
  /** What superjson put at (container, key), over the parsed JSON: arrays by index, objects by name. */
  private readonly items = new Map<unknown[], Place[]>();
  private readonly members = new Map<object, Map<string, Place>>();
  private root: Place;
  /** A parsed container of `d` was put into a Set or Map, where walks lose track of it. */
  private leaked = false;
  /** A write landed where the replay lost track: from then on every walk is charged blind. */
  private blind = false;

  constructor(
    private readonly budget: SuperjsonDecodeBudget,
    json: unknown,
  ) {
    this.root = json;
  }

  // ---- value annotations: superjson's traverse, children before their node ----------------

  values(tree: unknown): void {
    const root: Cursor = { container: undefined, key: '', value: this.root, depth: 0 };
    if (Array.isArray(tree)) this.node(tree, root, 0);
    else this.children(tree, root, 0);
  }

  /** `[type]` or `[type, children]`, where a type is a name or `[kind, name]`. */
  private node(tree: unknown[], at: Cursor, depth: number): void {
    const [type, children] = tree;
    const name = typeof type === 'string' ? type : isTypePair(type) ? type[0] : undefined;
    if (name === undefined || tree.length > 2 || (tree.length === 2 && !isRecord(children)))
      throw new Refusal(MALFORMED_VALUES);
    this.count(at.depth);
    if (tree.length === 2) this.children(children, at, depth);
    this.restore(at, name);
  }

  private children(tree: unknown, at: Cursor, depth: number): void {
    if (!isRecord(tree)) throw new Refusal(MALFORMED_VALUES);
    for (const key of Object.keys(tree)) {
      if (depth >= MAX_META_DEPTH) throw new Refusal(MALFORMED_VALUES);
      const sub = tree[key];
      const child = this.resolve(at, key);
      if (Array.isArray(sub)) {
        if (child.container !== undefined && this.placedAt(child.container, child.key) !== ABSENT)
          throw new Refusal('a value has two annotations');
        this.node(sub, child, depth + 1);
      } else {
        this.count(child.depth); // superjson copies the path of a node without a type too
        this.children(sub, child, depth + 1);
      }
    }
  }

  /** The member `key` names below `from`, walked as superjson's setDeep walks plain JSON. */
  private resolve(from: Cursor, key: string): Cursor {
    let at = from;
    if (key.includes('\\')) {
      const segments = parseEscapedOrRefuse(key);
      this.checkLength(from.depth + segments.length);
      for (const segment of segments) at = this.step(at, segment);
      return at;
    }
    // Refuse a long path before walking any of it; counting stops past the bound.
    const max = this.budget.maxPathSegments;
    let segments = from.depth + 1;
    for (let dot = key.indexOf('.'); dot !== -1 && segments <= max; dot = key.indexOf('.', dot + 1))
      segments++;
    this.checkLength(segments);
    for (let start = 0; ; ) {
      const dot = key.indexOf('.', start);
      if (dot === -1) return this.step(at, start === 0 ? key : key.slice(start));
      at = this.step(at, key.slice(start, dot));
      start = dot + 1;
    }
  }

  private step(at: Cursor, segment: string): Cursor {
    forbid(segment);
    if (at.container !== undefined && this.placedAt(at.container, at.key) !== ABSENT)
      throw new Refusal('an annotation reaches into a value an earlier annotation restored');
    const value = at.value;
    if (Array.isArray(value)) {
      const index = elementAt(value, segment);
      if (index === -1) throw new Refusal(NOT_IN_VALUE);
      return { container: value, key: index, value: value[index], depth: at.depth + 1 };
    }
    if (!isPlainObject(value) || !Object.hasOwn(value, segment)) throw new Refusal(NOT_IN_VALUE);
    const member = (value as Record<string, unknown>)[segment];
    return { container: value, key: segment, value: member, depth: at.depth + 1 };
  }

  private restore(at: Cursor, name: string): void {
    const value = at.value;
    if (name === 'bigint') {
      // BigInt() parses in superlinear time; superjson writes BigInts as strings.
      const length = typeof value === 'string' ? value.length : 0;
      if (length > this.budget.maxBigIntChars || (typeof value !== 'string' && typeof value !== 'number'))
        throw new Refusal(`a BigInt is not a string of at most ${this.budget.maxBigIntChars} characters`);
      this.work.longestBigInt = Math.max(this.work.longestBigInt, length);
    }
    // new Set(string) walks every character, a typed array of a number allocates that many.
    if ((name === 'set' || name === 'map' || name === 'typed-array') && !Array.isArray(value))
      throw new Refusal(`a ${name} annotation on a value that is not an array`);
    const place = name === 'set' ? SET : name === 'map' ? MAP : OPAQUE;
    if (at.container === undefined) this.root = place;
    else this.place(at.container, at.key, place);
  }

  // ---- referential equalities: getDeep and setDeep over the restored value ----------------

  /** `[rootPaths]`, `[rootPaths, pathLists]` or `pathLists`. */
  equalities(equal: unknown): void {
    if (!Array.isArray(equal)) return this.pathLists(equal);
    const [root, other] = equal;
    if (!Array.isArray(root) || equal.length > 2 || (equal.length === 2 && !isRecord(other)))
      throw new Refusal(MALFORMED_EQUALITIES);
    for (const path of root) this.setDeep(path, this.root);
    if (equal.length === 2) this.pathLists(other);
  }

  private pathLists(lists: unknown): void {
    if (!isRecord(lists)) throw new Refusal(MALFORMED_EQUALITIES);
    for (const representative of Object.keys(lists)) {
      const identical = lists[representative];
      if (!Array.isArray(identical)) throw new Refusal(MALFORMED_EQUALITIES);
      const object = this.getDeep(representative);
      for (const path of identical) this.setDeep(path, object);
    }
  }

  private getDeep(key: string): Place {
    const path = this.path(key);
    let at = this.blind ? UNKNOWN : this.root;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      if (at === UNKNOWN) this.index(segment);
      else if (at === SET) {
        this.index(segment);
        at = UNKNOWN;
      } else if (at === MAP) {
        this.index(segment);
        i++; // the next segment picks key or value
        at = UNKNOWN;
      } else if (at === OPAQUE) at = UNKNOWN;
      else if (Array.isArray(at)) {
        const index = elementAt(at, segment);
        // getDeep reads `array[segment]`: only a canonical index names an element
        at = index !== -1 && isCanonicalIndex(segment) ? this.child(at, index) : undefined;
      } else if (typeof at === 'object' && at !== null) at = this.child(at, segment);
      else at = undefined; // a primitive: nothing below it
    }
    return at;
  }

  private setDeep(key: unknown, object: Place): void {
    const path = this.path(key);
    let parent = this.blind ? UNKNOWN : this.root;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i]!;
      if (parent === UNKNOWN) this.index(segment);
      else if (parent === SET) {
        this.index(segment);
        parent = UNKNOWN;
      } else if (parent === MAP) {
        if (i === path.length - 2) break;
        this.index(segment);
        i++;
        parent = UNKNOWN;
      } else if (Array.isArray(parent)) {
        const index = elementAt(parent, segment);
        parent = index === -1 ? undefined : this.child(parent, index);
      } else if (isPlainObject(parent)) parent = this.child(parent, segment);
      // anything else (a primitive, a restored Date or Error): setDeep stays there, inert
    }
    const last = path[path.length - 1]!;
    if (parent === UNKNOWN || parent === SET || parent === MAP) {
      // At a Set superjson looks up the last segment, at a Map the one before (which a Map
      // above may have read as key-or-value, or a Set above as an index, already).
      const before = path.length > 1 ? path[path.length - 2]! : '';
      if (parent !== SET) this.index(before);
      if (parent !== MAP) this.index(last);
      // A write the replay cannot place may land in a container it tracks only once one of
      // those went into a Set or Map.
      if (parent === UNKNOWN && this.leaked) this.blind = true;
      if (isContainer(object)) this.leaked = true;
    } else if (Array.isArray(parent)) {
      const index = elementAt(parent, last);
      // A write past the end would leave a sparse array of any length for the app to walk.
      if (index === -1) throw new Refusal('a referential-equality path is not in the value');
      this.place(parent, index, object);
    } else if (isPlainObject(parent)) this.place(parent, last, object);
  }

  private path(key: unknown): string[] {
    if (typeof key !== 'string') throw new Refusal(MALFORMED_EQUALITIES);
    const path = key.includes('\\') ? parseEscapedOrRefuse(key) : splitAtDots(key);
    this.checkLength(path.length);
    for (const segment of path) forbid(segment);
    this.count(path.length);
    return path;
  }

  /** What `container[key]` holds now: what superjson put there, or what `d` has. */
  private child(container: object, key: Key): Place {
    const placed = this.placedAt(container, key);
    if (placed !== ABSENT) return placed;
    if (typeof key === 'number') return (container as unknown[])[key];
    return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
  }

  // ---- bookkeeping --------------------------------------------------------------------

  private placedAt(container: object, key: Key): Place | typeof ABSENT {
    if (typeof key === 'number') {
      const row = this.items.get(container as unknown[]);
      return row === undefined ? ABSENT : row[key];
    }
    const row = this.members.get(container);
    return row?.has(key) ? row.get(key) : ABSENT;
  }

  private place(container: object, key: Key, place: Place): void {
    if (typeof key === 'number') {
      const array = container as unknown[];
      let row = this.items.get(array);
      if (row === undefined) {
        row = new Array<Place>(array.length).fill(ABSENT);
        this.items.set(array, row);
      }
      row[key] = place;
      return;
    }
    const row = this.members.get(container);
    if (row) row.set(key, place);
    else this.members.set(container, new Map([[key, place]]));
  }

  private checkLength(segments: number): void {
    if (segments > this.budget.maxPathSegments)
      throw new Refusal(`an annotation path has more than ${this.budget.maxPathSegments} segments`);
  }

  private count(segments: number): void {
    const { work, budget } = this;
    if (++work.annotations > budget.maxAnnotations)
      throw new Refusal(`more than ${budget.maxAnnotations} annotations`);
    work.pathSegments += segments;
    if (work.pathSegments > budget.maxTotalPathSegments)
      throw new Refusal(`more than ${budget.maxTotalPathSegments} annotation path segments in all`);
  }

  /** superjson's getNthKey steps over `+segment` entries (it throws past the end). */
  private index(segment: string): void {
    const n = Number(segment);
    if (!(n > 0)) return;
    this.work.collectionSteps += Math.ceil(n);
    if (this.work.collectionSteps > this.budget.maxCollectionSteps)
      throw new Refusal(`more than ${this.budget.maxCollectionSteps} steps through Sets and Maps`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isTypePair = (type: unknown): type is [string, string] =>
  Array.isArray(type) && type.length === 2 && typeof type[0] === 'string' && typeof type[1] === 'string';
/** A parsed array or object of `d` (not a value superjson restored). */
const isContainer = (place: Place): boolean =>
  typeof place === 'object' && place !== null && !(place instanceof Restored);

/** superjson refuses to walk these (validatePath); so does the check, before it walks anything. */
function forbid(segment: string): void {
  if (segment === '__proto__' || segment === 'prototype' || segment === 'constructor')
    throw new Refusal(`an annotation path has the segment '${segment}'`);
}

function parseEscapedOrRefuse(key: string): string[] {
  const segments = parseEscaped(key);
  if (segments === undefined) throw new Refusal('an annotation path has a bad escape');
  return segments;
}
