import { describe, expect, it } from 'vitest';
import { superjsonCodec } from '../src/codec.js';

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
});
