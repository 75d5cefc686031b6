/**
 * The superjson decode budget from outside: every hostile shape of issue 12 is refused with a
 * reason, what superjson writes for realistic values passes and round-trips, and each bound
 * holds from both sides. codec-budget-replay.test.ts holds the estimate against superjson.
 */
import { describe, expect, it } from 'vitest';
import { SUPERJSON_DECODE_BUDGET as BUDGET, superjsonCodec, superjsonMetaIssue } from '../src/codec.js';
import { measureSuperjsonDecode } from '../src/codec-budget.js';

/** What the codec writes for `value`, parsed as a receiver gets it. */
const wire = (value: unknown) => {
  const encoded = superjsonCodec.encode(value);
  const { json, meta } = encoded;
  return { encoded, json: json === undefined ? undefined : JSON.parse(json), meta: JSON.parse(meta!) };
};
const issueOf = ({ json, meta }: { json: unknown; meta: unknown }) => superjsonMetaIssue(meta, json);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const keyed = <T>(n: number, f: (i: number) => T) => Object.fromEntries(range(n).map((i) => [i, f(i)]));
const nested = (depth: number, leaf: unknown): unknown =>
  depth === 0 ? leaf : { x: nested(depth - 1, leaf) };
const dates = (n: number) => range(n).map((i) => new Date(i * 1000));

describe('superjson decode budget: hostile metadata', () => {
  const longKey = range(20_000).join('.');
  it.each<[string, unknown, unknown, RegExp]>([
    [
      "issue 12's frame: a key of 20,000 segments over 8,000 children",
      {},
      { values: { [longKey]: ['Date', keyed(8000, () => ['undefined'])] }, v: 1 },
      /more than 64 segments/,
    ],
    [
      'many children under a long key',
      nested(60, range(4000)),
      { values: { [Array(60).fill('x').join('.')]: ['set', keyed(4000, () => ['undefined'])] }, v: 1 },
      /more than 200000 annotation path segments in all/,
    ],
    [
      'a wide tree: 40,000 annotations',
      range(40_000).map(() => null),
      { values: keyed(40_000, () => ['undefined']), v: 1 },
      /more than 20000 annotations/,
    ],
    [
      '100,000 referential-equality paths',
      { o: {}, a: range(100_000) },
      { referentialEqualities: { o: range(100_000).map((i) => `a.${i}`) }, v: 1 },
      /more than 20000 annotations/,
    ],
    [
      'equality paths through a Set, deep into it',
      { s: range(3000), o: {} },
      { values: { s: ['set'] }, referentialEqualities: { o: range(1000).map(() => 's.2999') }, v: 1 },
      /more than 2000000 steps through Sets and Maps/,
    ],
    [
      'equality paths through a Map',
      { m: range(3000).map((i) => [i, {}]), o: {} },
      { values: { m: ['map'] }, referentialEqualities: { o: range(1000).map(() => 'm.2999.1') }, v: 1 },
      /steps through Sets and Maps/,
    ],
    [
      'equality paths through an alias of a Set',
      { s: range(3000), x: null, o: {} },
      {
        values: { s: ['set'] },
        referentialEqualities: { s: ['x'], o: range(1000).map(() => 'x.2999') },
        v: 1,
      },
      /steps through Sets and Maps/,
    ],
    [
      'equality paths through the root made a cycle',
      { s: range(3000), r: null, o: {} },
      {
        values: { s: ['set'] },
        referentialEqualities: [['r'], { o: range(1000).map(() => 'r.r.r.s.2999') }],
        v: 1,
      },
      /steps through Sets and Maps/,
    ],
    [
      'a sibling key under a Set already restored',
      { a: range(100_000) },
      { values: { a: ['set'], 'a.99999': ['Date'] }, v: 1 },
      /reaches into a value an earlier annotation restored/,
    ],
    [
      'the same member annotated twice, spelled two ways',
      { a: [range(1000)] },
      { values: { 'a.0': ['set'], 'a.00': ['set'] }, v: 1 },
      /a value has two annotations/,
    ],
    [
      'a value annotation past the end of an array (superjson would make it sparse)',
      { a: [1] },
      { values: { 'a.4294967294': ['undefined'], a: ['set'] }, v: 1 },
      /not in the value/,
    ],
    [
      'an equality path past the end of an array',
      { a: [1], o: {} },
      { referentialEqualities: { o: ['a.4294967294'] }, v: 1 },
      /not in the value/,
    ],
    [
      'a 1,000,000-digit BigInt',
      { n: '7'.repeat(1_000_000) },
      { values: { n: ['bigint'] }, v: 1 },
      /BigInt is not a string of at most 4096 characters/,
    ],
    [
      'a BigInt hidden in an array (BigInt() joins it)',
      { n: ['7'.repeat(5000)] },
      { values: { n: ['bigint'] }, v: 1 },
      /BigInt is not a string/,
    ],
    [
      'a Set of a string',
      { s: 'x'.repeat(1000) },
      { values: { s: ['set'] }, v: 1 },
      /set annotation on a value/,
    ],
    [
      'a typed array of a number (it would allocate that many)',
      { t: 1e9 },
      { values: { t: [['typed-array', 'Float64Array']] }, v: 1 },
      /typed-array annotation on a value/,
    ],
    ['legacy metadata (no version)', { a: 'x' }, { values: { a: ['Date'] } }, /version is not 1/],
    ['legacy metadata (version 0)', { a: 'x' }, { values: { a: ['Date'] }, v: 0 }, /version is not 1/],
    ['a forbidden segment', { a: {} }, { values: { 'a.__proto__': ['Date'] }, v: 1 }, /'__proto__'/],
    ['a bad escape', { a: 1 }, { values: { 'a\\x': ['Date'] }, v: 1 }, /bad escape/],
  ])('refuses %s', (_name, json, meta, reason) => {
    expect(superjsonMetaIssue(meta, json)).toMatch(reason);
  });

  it('walks each key once from its parent, not every full path from the root', () => {
    // 3,000 children under a 60-segment key: superjson walks 183,000 segments; the check walks
    // the message's 3,060 keys' segments. Count what the check asks of `d` through a proxy.
    let reads = 0;
    const counting = (value: unknown): unknown => {
      if (typeof value !== 'object' || value === null) return value;
      return new Proxy(value, {
        get: (target, key) => {
          reads++;
          return counting(Reflect.get(target, key));
        },
        getOwnPropertyDescriptor: (target, key) => {
          reads++;
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      });
    };
    const key = Array(60).fill('x').join('.');
    const meta = { values: { [key]: ['set', keyed(3000, () => ['undefined'])] }, v: 1 };
    const result = measureSuperjsonDecode(meta, counting(nested(60, range(3000))));
    expect(result).toEqual({
      work: { annotations: 3001, pathSegments: 60 + 3000 * 61, collectionSteps: 0, longestBigInt: 0 },
    });
    expect(reads).toBeLessThan(10 * 3060);
  });
});

describe('superjson decode budget: what superjson writes for real values', () => {
  const shared = range(50).map((i) => ({ id: i }));
  const rows = (n: number) => range(n).map((i) => ({ id: i, at: new Date(i), ref: shared[i % 50] }));
  const cyclic: Record<string, unknown> = { at: new Date(0) };
  cyclic.self = cyclic;
  it.each<[string, unknown]>([
    ['an array of 10,000 Dates', dates(10_000)],
    ['a Set of 3,000 Dates', new Set(dates(3000))],
    ['a Map of 3,000 Dates to Dates', new Map(dates(3000).map((d) => [d, new Date(-d.getTime())]))],
    [
      'nested objects with Dates, BigInts and bytes',
      range(200).map((i) => ({
        user: { id: BigInt(i) * 10n ** 30n, joined: new Date(i), avatar: new Uint8Array([i, 1, 2]) },
        tags: new Set(['a', `t${i}`]),
        meta: { seen: [new Date(i), undefined, Number.NaN] },
      })),
    ],
    ['5,000 rows sharing 50 objects', rows(5000)],
    [
      '1,000 rows sharing 50 objects, in a Set and in an array',
      ((r) => ({ set: new Set(r), list: r }))(rows(1000)),
    ],
    ['a BigInt of 4,096 characters', BigInt(`-${'9'.repeat(4095)}`)],
    ['a value that contains itself', cyclic],
  ])('accepts and round-trips %s', (_name, value) => {
    const sent = wire(value);
    expect(issueOf(sent)).toBeUndefined();
    // What came out encodes as what went in: the same JSON, types and shared references (and,
    // unlike toEqual on large Sets, in linear time).
    const decoded = superjsonCodec.decode(sent.json, sent.meta);
    expect(superjsonCodec.encode(decoded)).toEqual(sent.encoded);
  });

  it('holds the bound on annotations from both sides: one per Date', () => {
    expect(issueOf(wire(dates(BUDGET.maxAnnotations)))).toBeUndefined();
    expect(issueOf(wire(dates(BUDGET.maxAnnotations + 1)))).toMatch(/more than 20000 annotations/);
  });

  it("holds the bound on one path's segments from both sides: a Date 64 objects down, then 65", () => {
    expect(issueOf(wire(nested(BUDGET.maxPathSegments, new Date(0))))).toBeUndefined();
    expect(issueOf(wire(nested(BUDGET.maxPathSegments + 1, new Date(0))))).toMatch(/more than 64 segments/);
  });

  it('holds the bound on all path segments from both sides', () => {
    // A Set 49 levels down (49 segments) with 3,999 members annotated (50 each): 199,999; then
    // one more annotation of 1 segment (200,000, accepted) or of 2 (200,001, refused).
    const key = Array(49).fill('x').join('.');
    const json = { ...(nested(49, range(3999)) as object), y: { z: 1 } };
    const values = { [key]: ['set', keyed(3999, () => ['undefined'])] };
    expect(superjsonMetaIssue({ values: { ...values, y: ['undefined'] }, v: 1 }, json)).toBeUndefined();
    expect(superjsonMetaIssue({ values: { ...values, 'y.z': ['undefined'] }, v: 1 }, json)).toMatch(
      /more than 200000 annotation path segments/,
    );
  });

  it('holds the bound on Set steps from both sides: superjson refers to object i of a Set as "set.i"', () => {
    // n objects in a Set and in an array cost n(n-1)/2 steps: 1,999,000 for 2,000, 2,001,000 for 2,001.
    const inSet = (n: number) => ((s) => ({ set: new Set(s), list: s }))(range(n).map((id) => ({ id })));
    expect(issueOf(wire(inSet(2000)))).toBeUndefined();
    expect(issueOf(wire(inSet(2001)))).toMatch(/more than 2000000 steps through Sets and Maps/);
  });

  it('holds the bound on BigInt characters from both sides', () => {
    expect(issueOf(wire(BigInt('9'.repeat(BUDGET.maxBigIntChars))))).toBeUndefined();
    expect(issueOf(wire(BigInt('9'.repeat(BUDGET.maxBigIntChars + 1))))).toMatch(/at most 4096 characters/);
  });
});
