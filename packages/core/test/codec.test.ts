import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { superjsonCodec, superjsonMetaIssue } from '../src/codec.js';

const roundTrip = (value: unknown) => {
  const { json, meta } = superjsonCodec.encode(value);
  return superjsonCodec.decode(
    json === undefined ? undefined : JSON.parse(json),
    meta === undefined ? undefined : JSON.parse(meta),
  );
};

describe('superjson codec', () => {
  it('takes the fast path for plain JSON: no metadata', () => {
    expect(superjsonCodec.encode({ a: [1, 'x', null, true], b: { c: 2.5 } })).toEqual({
      json: '{"a":[1,"x",null,true],"b":{"c":2.5}}',
      meta: undefined,
    });
  });

  it.each([
    ['Date', new Date(1700000000000)],
    [
      'Map',
      new Map<unknown, unknown>([
        ['k', { v: 1 }],
        [2, 'two'],
      ]),
    ],
    ['Set', new Set(['a', 'b'])],
    ['BigInt', 12345678901234567890n],
    ['RegExp', /x+y/gi],
    ['Uint8Array', new Uint8Array([0, 127, 128, 255])],
    ['undefined member', { a: undefined, b: 1 }],
    ['NaN and infinities', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
    ['-0', -0],
    ['nested', { when: new Date(0), tags: new Set([1]), list: [{ big: 1n }] }],
  ])('round-trips %s', (_name, value) => {
    const { meta } = superjsonCodec.encode(value);
    expect(meta).toBeDefined();
    expect(roundTrip(value)).toEqual(value);
  });

  it('round-trips a large Uint8Array (chunked base64)', () => {
    const bytes = new Uint8Array(200_000).map((_, i) => i % 256);
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('encodes undefined as no value', () => {
    expect(superjsonCodec.encode(undefined)).toEqual({ json: undefined, meta: undefined });
    expect(roundTrip(undefined)).toBeUndefined();
  });

  it('sends class instances through superjson rather than as plain JSON', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(superjsonCodec.encode(new Point(1)).meta).toBeUndefined();
    expect(superjsonCodec.encode({ p: Object.create(null) }).meta).toBeUndefined();
  });

  it('refuses metadata that does not fit its payload as BAD_REQUEST', () => {
    const misfits: [unknown, unknown][] = [
      [{ b: '%%%' }, { values: { b: [['custom', 'u8']] }, v: 1 }], // not base64
      [{ d: 1 }, { values: { d: [['custom', 'nope']] }, v: 1 }], // an unknown transformer
      [{ a: 'x' }, { values: { a: ['bigint'] }, v: 1 }], // not a number
      [{ a: [1] }, { values: { a: ['map'] }, v: 1 }], // not entries
    ];
    for (const [json, meta] of misfits) {
      expect(superjsonMetaIssue(meta, json)).toBeUndefined(); // well-shaped, just wrong
      expect(() => superjsonCodec.decode(json, meta)).toThrow(
        expect.objectContaining({
          code: 'BAD_REQUEST',
          message: 'payload metadata does not fit the payload',
        }),
      );
    }
  });
});

describe('superjsonMetaIssue', () => {
  it('accepts the metadata superjson writes, for any value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          // superjson refuses to encode these keys (prototype pollution), so they never get here
          key: fc.string().filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)),
          withDate: true,
          withMap: true,
          withSet: true,
          withBigInt: true,
          withNullPrototype: true,
          withBoxedValues: false,
          withSparseArray: true,
          maxDepth: 4,
        }),
        (value) => {
          const { json, meta } = superjsonCodec.encode(value);
          if (meta !== undefined)
            expect(superjsonMetaIssue(JSON.parse(meta), json && JSON.parse(json))).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
    const shared = { x: 1 };
    const { json, meta } = superjsonCodec.encode({
      a: shared,
      b: shared,
      bytes: new Uint8Array([1]),
      at: new Date(0),
    });
    expect(JSON.parse(meta!)).toHaveProperty('referentialEqualities');
    expect(superjsonMetaIssue(JSON.parse(meta!), JSON.parse(json!))).toBeUndefined();
  });

  it('refuses shapes superjson would recurse on without end, and deep nesting', () => {
    let deep: unknown = ['Date'];
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const json = { a: 1, b: 2 };
    expect(superjsonMetaIssue('Date', json)).toBe('metadata is not an object');
    expect(superjsonMetaIssue({ v: '1' }, json)).toBe('metadata version is not 1');
    const values = [
      'Date',
      { a: 'bigint' },
      { b: ['custom', 'u8'] }, // children must be an object
      { a: [1] },
      { a: ['Date', {}, {}] },
    ];
    for (const tree of values)
      expect(superjsonMetaIssue({ values: tree, v: 1 }, json), JSON.stringify(tree)).toBe(
        'malformed value annotations',
      );
    let nested: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 40; i++) nested = { a: nested };
    expect(superjsonMetaIssue({ values: deep, v: 1 }, nested)).toBe('malformed value annotations');
    const equalities = ['a', { a: 'b' }, [['a'], 'b'], [], { a: [1] }];
    for (const equal of equalities)
      expect(superjsonMetaIssue({ referentialEqualities: equal, v: 1 }, json), JSON.stringify(equal)).toBe(
        'malformed referential equalities',
      );
  });
});
