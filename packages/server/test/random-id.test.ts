/**
 * Connection and session ids come from a block of random bytes refilled every 256 ids: each id
 * takes fresh bytes, across refills too.
 */
import { describe, expect, it } from 'vitest';
import { randomId } from '../src/random-id.js';

describe('randomId', () => {
  it('gives 96-bit base64url ids that never repeat, across block refills', () => {
    const ids = Array.from({ length: 256 * 4 + 7 }, () => randomId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
