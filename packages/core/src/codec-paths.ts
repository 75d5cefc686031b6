/**
 * How superjson 2 reads an annotation path and walks plain JSON with it (pathstringifier.js,
 * accessDeep.js), for the decode budget's replay: the same segments, the same members.
 */

/** superjson's test, so that plain objects of `d` are walked exactly where superjson walks them. */
export function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** The element superjson's `array[+segment]` reads, or -1 when it reads none. */
export function elementAt(array: unknown[], segment: string): number {
  const n = Number(segment);
  return Number.isInteger(n) && n >= 0 && n < array.length ? n + 0 : -1; // + 0 turns -0 into 0
}

/** Whether `segment` is how JavaScript writes an array index ("0", "17", not "017" or "1.0"). */
export function isCanonicalIndex(segment: string): boolean {
  const first = segment.charCodeAt(0);
  if (segment.length === 1) return first >= 48 && first <= 57;
  if (first < 49 || first > 57) return false;
  for (let i = 1; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `key.split('.')`, which V8 runs several times slower. */
export function splitAtDots(key: string): string[] {
  const segments: string[] = [];
  let start = 0;
  for (let dot = key.indexOf('.'); dot !== -1; dot = key.indexOf('.', start)) {
    segments.push(key.slice(start, dot));
    start = dot + 1;
  }
  segments.push(start === 0 ? key : key.slice(start));
  return segments;
}

/** superjson 2's path syntax where it has a `\`: `\.` and `\\` escape; undefined for any other `\`. */
export function parseEscaped(key: string): string[] | undefined {
  const segments: string[] = [];
  let segment = '';
  let start = 0;
  for (let i = 0; i < key.length; i++) {
    const char = key[i];
    if (char === '\\') {
      const escaped = key[i + 1];
      if (escaped !== '\\' && escaped !== '.') return undefined;
      segment += key.slice(start, i) + escaped;
      start = ++i + 1;
    } else if (char === '.') {
      segments.push(segment + key.slice(start, i));
      segment = '';
      start = i + 1;
    }
  }
  segments.push(segment + key.slice(start));
  return segments;
}
