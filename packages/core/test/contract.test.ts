import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, lookup } from '../src/contract.js';

describe('defineContract', () => {
  it('returns the definition, frozen and branded', () => {
    const contract = defineContract({ server: { a: { output: z.string() } } });
    expect(Object.isFrozen(contract)).toBe(true);
    expect(contract['~sockkit']).toBe('contract/v1');
  });

  it('refuses names that cannot travel on the wire', () => {
    expect(() => defineContract({ server: { 'a/b': { output: z.string() } } })).toThrow(/names must match/);
    expect(() => defineContract({ topics: { 'a:b': { message: z.string() } } })).toThrow(/names must match/);
  });

  it('refuses the names tools probe objects for (the client namespaces would hide them)', () => {
    for (const name of ['then', 'toJSON', '__v_isRef', '__proto_x'])
      expect(() => defineContract({ server: { [name]: { output: z.string() } } })).toThrow(/not be then/);
    expect(() =>
      defineContract({ server: { thenable: { output: z.string() }, _x: { output: z.string() } } }),
    ).not.toThrow();
  });

  it('refuses entries without schemas', () => {
    expect(() => defineContract({ server: { a: { output: 'string' as unknown as z.ZodString } } })).toThrow(
      /must be a zod schema/,
    );
  });

  it('looks up own entries only', () => {
    const contract = defineContract({ server: { a: { output: z.string() } } });
    expect(lookup(contract.server, 'a')).toBeDefined();
    expect(lookup(contract.server, 'toString')).toBeUndefined();
    expect(lookup(contract.server, '__proto__')).toBeUndefined();
  });
});
