/**
 * The decode budget's estimate against superjson's own work, counted by a replica of its
 * algorithm (superjson-oracle.ts, itself checked against the codec on every input): for what
 * superjson writes, shared references and cycles included, and for metadata it never writes,
 * the estimate bounds the work, and what the check accepts stays within the budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { superjsonCodec } from '../src/codec.js';
import { measureSuperjsonDecode as measure, type SuperjsonDecodeBudget } from '../src/codec-budget.js';
import { type OracleWork, replaySuperjson } from './superjson-oracle.js';

const noWork = (): OracleWork => ({ annotations: 0, pathSteps: 0, collectionSteps: 0, longestBigInt: 0 });

/** A value tree with Sets, Maps, Dates, BigInts… whose `ref` leaves point into a shared pool. */
type Recipe =
  | { leaf: unknown }
  | { ref: number }
  | { obj: [string, Recipe][] }
  | { arr: Recipe[] }
  | { set: Recipe[] }
  | { map: [Recipe, Recipe][] };
const recipe = fc.letrec<{ node: Recipe }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .oneof(
        fc.date(),
        fc.bigInt(),
        fc.constant(undefined),
        fc.double(),
        fc.string({ maxLength: 3 }),
        fc.uint8Array({ maxLength: 3 }),
      )
      .map((leaf) => ({ leaf })),
    fc.nat(5).map((ref) => ({ ref })),
    fc
      .array(
        fc.tuple(
          fc.string({ maxLength: 3 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)),
          tie('node'),
        ),
        { maxLength: 4 },
      )
      .map((obj) => ({ obj })),
    fc.array(tie('node'), { maxLength: 4 }).map((arr) => ({ arr })),
    fc.array(tie('node'), { maxLength: 4 }).map((set) => ({ set })),
    fc.array(fc.tuple(tie('node'), tie('node')), { maxLength: 3 }).map((map) => ({ map })),
  ),
}));

/** Builds the value: the pool's containers exist first, so refs may form cycles. */
function build(pool: Recipe[], root: Recipe): unknown {
  const shells = pool.map((r) => ('set' in r ? new Set() : 'map' in r ? new Map() : 'arr' in r ? [] : {}));
  const make = (r: Recipe): unknown => {
    if ('leaf' in r) return r.leaf;
    if ('ref' in r) return shells[r.ref % shells.length];
    return fill('arr' in r ? [] : 'set' in r ? new Set() : 'map' in r ? new Map() : {}, r);
  };
  const fill = (into: unknown, r: Recipe): unknown => {
    if ('obj' in r) for (const [k, v] of r.obj) (into as Record<string, unknown>)[k] = make(v);
    if ('arr' in r) for (const v of r.arr) (into as unknown[]).push(make(v));
    if ('set' in r) for (const v of r.set) (into as Set<unknown>).add(make(v));
    if ('map' in r) for (const [k, v] of r.map) (into as Map<unknown, unknown>).set(make(k), make(v));
    return into;
  };
  for (const [i, r] of pool.entries()) fill(shells[i], r);
  return make(root);
}
const container = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c.d'), recipe.node), { maxLength: 3 }).map((obj) => ({ obj })),
  fc.array(recipe.node, { maxLength: 3 }).map((arr) => ({ arr })),
  fc.array(recipe.node, { maxLength: 3 }).map((set) => ({ set })),
  fc.array(fc.tuple(recipe.node, recipe.node), { maxLength: 2 }).map((map) => ({ map })),
);
const sharedValue = fc
  .tuple(fc.array(container, { minLength: 1, maxLength: 6 }), recipe.node)
  .map(([pool, root]) => build(pool, root));

/**
 * Metadata superjson never writes, over a `d` of a fixed outline: `s` and `m` are likely made
 * a Set and a Map, annotations come in any order (siblings after a restored Set, the same
 * member twice), and equality paths go through Sets, Maps, aliases (`x`, `y`) and the root.
 */
const member = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(0, 1, '12', '2020-01-01T00:00:00Z', 'AAE=', null),
    fc.tuple(tie('value'), tie('value')),
    fc.record({ a: tie('value'), b: tie('value') }, { requiredKeys: [] }),
  ),
})).value;
const hostileJson = fc.record({
  a: fc.array(member, { minLength: 1, maxLength: 3 }),
  b: fc.record({ a: member, s: fc.array(member, { maxLength: 3 }) }),
  s: fc.array(member, { minLength: 1, maxLength: 4 }),
  m: fc.array(fc.tuple(member, member), { minLength: 1, maxLength: 3 }),
  x: member,
  y: member,
  e: fc.record({ cause: fc.array(member, { minLength: 1, maxLength: 3 }) }),
});
const paths = ['a', 'a.0', 'a.1', 'a.01', 'b', 'b.a', 'b.s', 'b.s.1', 's', 's.0', 's.1', 's.2', 's.1.a'];
const morePaths = [
  's.3',
  's.2.b',
  's.0.1',
  'm',
  'm.0',
  'm.0.0',
  'm.1.1',
  'm.2.1.a',
  'x',
  'x.1',
  'x.2.a',
  'y',
];
const eqPaths = [...paths, ...morePaths, 'y.a', 'y.b.1', 'r', 'r.s.1', 'r.r.x.2', 'x.0.1', 'm.1.0', '1'];
const typeName = fc.oneof(
  fc.constantFrom('Date', 'undefined', 'bigint', 'number', 'Error', 'regexp', ['custom', 'u8']),
  fc.constantFrom('set', 'map', ['typed-array', 'Uint8Array']),
);
const { tree: valueTree } = fc.letrec<{ tree: unknown; node: unknown; children: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, tie('node'), tie('node'), tie('children')),
  node: fc.oneof(
    typeName.map((t) => [t]),
    fc.tuple(typeName, tie('children')),
  ),
  children: fc
    .array(fc.tuple(fc.constantFrom('0', '1', '2', '01', 'a', 'b', '1.a', '0.1'), tie('tree')), {
      maxLength: 3,
    })
    .map((entries) => Object.fromEntries(entries)),
}));
const annotation = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom('s', 'b.s'), fc.constantFrom(['set'], ['set', { '1': ['Date'] }])),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('m', 's'), fc.constantFrom(['map'], ['map', { '0.1': ['Date'] }])),
  },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...paths, ...morePaths), valueTree) },
);
const eqPath = fc.oneof(
  fc.constantFrom(...eqPaths),
  fc.constantFrom(
    's.1',
    's.2',
    's.3',
    's.2.a',
    'm.1.1',
    'm.2.0',
    'm.1.1.b',
    'b.s.2',
    'x.2',
    'r.s.2',
    'e.cause.2',
  ),
);
const pathList = fc.array(eqPath, { maxLength: 4 });
const pathLists = fc
  .array(fc.tuple(eqPath, pathList), { maxLength: 4 })
  .map((entries) => Object.fromEntries(entries));
/** Value annotations that fit the outline, so that the equality paths are what varies. */
const fittingValues = fc
  .subarray([
    ['s', ['set']],
    ['m', ['map']],
    ['b.s', ['set']],
    ['a.0', ['Error']],
    ['e', ['Error', { cause: ['set'] }]],
  ])
  .map((entries) => Object.fromEntries(entries));
const equalityMeta = fc.record({
  values: fittingValues,
  referentialEqualities: fc.oneof(pathLists, fc.tuple(pathList), fc.tuple(pathList, pathLists)),
  v: fc.constant(1),
});
const hostileMeta = fc.record(
  {
    values: fc.oneof(
      fc.array(annotation, { maxLength: 6 }).map((entries) => Object.fromEntries(entries)),
      fc.tuple(typeName, fc.array(annotation, { maxLength: 4 })).map(([t, e]) => [t, Object.fromEntries(e)]),
    ),
    referentialEqualities: fc.oneof(pathLists, fc.tuple(pathList), fc.tuple(pathList, pathLists)),
    v: fc.constant(1),
  },
  { requiredKeys: ['v'] },
);

const LOOSE: SuperjsonDecodeBudget = {
  maxAnnotations: 1e9,
  maxPathSegments: 1e9,
  maxTotalPathSegments: 1e9,
  maxCollectionSteps: 1e9,
  maxBigIntChars: 1e9,
};
const TIGHT: SuperjsonDecodeBudget = {
  maxAnnotations: 8,
  maxPathSegments: 3,
  maxTotalPathSegments: 12,
  maxCollectionSteps: 3,
  maxBigIntChars: 8,
};

/**
 * Decodes with the replica and with the codec: they must agree (the replica is superjson), and
 * when the check accepted, superjson's work must be within the estimate and the budget.
 */
function holdsAgainstOracle(json: unknown, meta: unknown, budget: SuperjsonDecodeBudget): void {
  const measured = measure(meta, json, budget);
  const work = noWork();
  let replayed: { value: unknown } | { error: unknown };
  let decoded: { value: unknown } | { error: unknown };
  try {
    replayed = { value: replaySuperjson(structuredClone(json), meta as never, work) };
  } catch (error) {
    replayed = { error };
  }
  try {
    decoded = { value: superjsonCodec.decode(structuredClone(json), structuredClone(meta)) };
  } catch (error) {
    decoded = { error };
  }
  expect('error' in replayed).toBe('error' in decoded);
  if ('value' in replayed && 'value' in decoded) expect(replayed.value).toEqual(decoded.value);
  if ('issue' in measured) return;
  const estimate = measured.work;
  expect(work.annotations).toBeLessThanOrEqual(estimate.annotations);
  // Per segment superjson copies the path once, scans it three times and steps through it once.
  expect(work.pathSteps).toBeLessThanOrEqual(5 * estimate.pathSegments);
  expect(work.collectionSteps).toBeLessThanOrEqual(estimate.collectionSteps);
  expect(work.longestBigInt).toBeLessThanOrEqual(estimate.longestBigInt);
  expect(estimate.annotations).toBeLessThanOrEqual(budget.maxAnnotations);
  expect(estimate.pathSegments).toBeLessThanOrEqual(budget.maxTotalPathSegments);
  expect(estimate.collectionSteps).toBeLessThanOrEqual(budget.maxCollectionSteps);
  expect(estimate.longestBigInt).toBeLessThanOrEqual(budget.maxBigIntChars);
}

describe('superjson decode budget: the estimate bounds what superjson does', () => {
  it('for what superjson writes, shared references and cycles included', () => {
    fc.assert(
      fc.property(sharedValue, fc.constantFrom(LOOSE, TIGHT), (value, budget) => {
        const { json, meta } = superjsonCodec.encode(value);
        if (meta === undefined) return;
        const sent = { json: json === undefined ? undefined : JSON.parse(json), meta: JSON.parse(meta) };
        if (budget === LOOSE) expect(measure(sent.meta, sent.json, LOOSE)).toHaveProperty('work');
        holdsAgainstOracle(sent.json, sent.meta, budget);
      }),
      { numRuns: 400 },
    );
  });

  it('for metadata superjson never writes', () => {
    fc.assert(
      fc.property(
        hostileJson,
        fc.oneof(hostileMeta, equalityMeta),
        fc.constantFrom(LOOSE, TIGHT),
        (json, meta, budget) => holdsAgainstOracle(json, meta, budget),
      ),
      { numRuns: 3000 },
    );
  });

  it('charges a segment twice where superjson reads it twice (a Map in itself, found by fast-check)', () => {
    // `m.1.1` adds the Map as its own value, under key undefined at row 1; `m.1.1.b` reads row
    // 1 of the Map as a row (1 step) and then, at the Map it found, as a row again (1 step).
    holdsAgainstOracle(
      { m: [[0, 0]] },
      { values: { m: ['map'] }, referentialEqualities: { m: ['m.1.1', 'm.1.1.b'] }, v: 1 },
      LOOSE,
    );
    // A Set of Maps: `s.1.x` steps into the Set to 1, then looks row 1 of that Map up (2 steps).
    const setOfMaps = {
      values: { s: ['set', { '1': ['map'] }] },
      referentialEqualities: { o: ['s.1.x'] },
      v: 1,
    };
    holdsAgainstOracle({ s: [[], [[1, 2]]], o: {} }, setOfMaps, LOOSE);
  });

  it('charges every index once a container of d went into a Set and a write lost track', () => {
    // `s.0` puts object `a` into the Set (it moves to the end: index 2); `s.2.k` then makes
    // `a.k` the Set, through the Set, where the replay cannot follow; so `a.k.2`, an array
    // index as far as `d` tells, is charged: superjson does step over two entries there.
    const json = { s: [{}, {}, {}], a: { k: [0, 0, 0] }, o: {} };
    const meta = {
      values: { s: ['set'] },
      referentialEqualities: { a: ['s.0'], s: ['s.2.k'], o: ['a.k.2'] },
      v: 1,
    };
    const work = noWork();
    replaySuperjson(structuredClone(json), meta, work);
    expect(work.collectionSteps).toBe(0 + 2 + 2);
    // `s.2.k` and `a.k.2` each end where the replay cannot tell a Set from a Map from an
    // object: both their last two segments are charged.
    expect(measure(meta, json, LOOSE)).toEqual({
      work: {
        annotations: 7,
        pathSegments: 1 + 1 + 2 + 1 + 3 + 1 + 3,
        collectionSteps: 0 + 4 + 2,
        longestBigInt: 0,
      },
    });
    holdsAgainstOracle(json, meta, LOOSE);
  });
});
