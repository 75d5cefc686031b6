import { describe, expect, it } from 'vitest';
import { backoffPolicy, reconnectDelay } from '../src/backoff.js';

describe('backoff', () => {
  it('fills in defaults, and false means no reconnect', () => {
    expect(backoffPolicy(undefined)).toEqual({
      initialDelayMs: 250,
      maxDelayMs: 10_000,
      maxAttempts: Number.POSITIVE_INFINITY,
      stableAfterMs: 5000,
    });
    expect(backoffPolicy(false).maxAttempts).toBe(0);
  });

  it('grows the ceiling exponentially up to the maximum, full jitter below it', () => {
    const policy = backoffPolicy({ initialDelayMs: 100, maxDelayMs: 1000 });
    expect([0, 1, 2, 3, 4, 50].map((n) => reconnectDelay(policy, n, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(reconnectDelay(policy, 3, () => 0)).toBe(0);
  });
});
