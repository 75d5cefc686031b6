import type { IncomingMessage } from 'node:http';
import { type Clock, DEFAULT_LIMITS, SUBPROTOCOL } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/rate-limit.js';
import { negotiate, originAllowed, versionsFor } from '../src/upgrade.js';

function clockAt(now: { t: number }): Clock {
  return {
    now: () => now.t,
    setTimeout: () => 0 as never,
    clearTimeout: () => {},
    setInterval: () => 0 as never,
    clearInterval: () => {},
  };
}

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    const now = { t: 0 };
    const bucket = new TokenBucket(10, 5, clockAt(now));
    expect(Array.from({ length: 7 }, () => bucket.take())).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(bucket.retryAfterMs()).toBe(100);
    now.t += 100;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now.t += 10_000;
    expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5);
  });
});

describe('upgrade checks', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it('negotiates the subprotocol: the newest version both sides speak', () => {
    const versions = [2, 1];
    expect(negotiate(new Set([SUBPROTOCOL]), versions)).toEqual({ protocol: SUBPROTOCOL, supported: true });
    expect(negotiate(new Set(['sockkit.v2', 'sockkit.v1']), versions)).toEqual({
      protocol: 'sockkit.v2',
      supported: true,
    });
    // A v1 client, and a v2 client of a server that speaks v1 only.
    expect(negotiate(new Set(['sockkit.v1']), versions)).toEqual({ protocol: 'sockkit.v1', supported: true });
    expect(negotiate(new Set(['sockkit.v2', 'sockkit.v1']), [1])).toEqual({
      protocol: 'sockkit.v1',
      supported: true,
    });
    expect(negotiate(new Set(['sockkit.v9']), versions)).toEqual({
      protocol: 'sockkit.v9',
      supported: false,
    });
    // Whatever was offered is echoed, so a browser sees the 4003 close instead of a failed handshake.
    expect(negotiate(new Set(['graphql-ws']), versions)).toEqual({
      protocol: 'graphql-ws',
      supported: false,
    });
    expect(negotiate(new Set(['evil.v9', 'sockkit.v0']), versions)).toEqual({
      protocol: 'evil.v9',
      supported: false,
    });
    expect(negotiate(new Set(), versions)).toEqual({ protocol: false, supported: false });
  });

  it('speaks v2 only with limits that can run the messages kept before welcome', () => {
    expect(versionsFor(DEFAULT_LIMITS)).toEqual([2, 1]);
    expect(versionsFor({ ...DEFAULT_LIMITS, maxCallsInFlight: 15 })).toEqual([1]);
    expect(versionsFor({ ...DEFAULT_LIMITS, messageBurst: 16 })).toEqual([1]);
    expect(versionsFor({ ...DEFAULT_LIMITS, maxMessageBytes: 16 * 1024 - 1 })).toEqual([1]);
  });

  it('checks origins: same-origin by default, lists, functions and *', () => {
    expect(originAllowed(undefined, request({ host: 'a.example', origin: 'https://a.example' }))).toBe(true);
    expect(originAllowed(undefined, request({ host: 'a.example', origin: 'https://evil.example' }))).toBe(
      false,
    );
    expect(originAllowed(undefined, request({ host: 'a.example', origin: 'null' }))).toBe(false);
    expect(originAllowed(undefined, request({ host: 'a.example' }))).toBe(true);
    expect(originAllowed(['https://b.example'], request({ host: 'a.example' }))).toBe(true);
    expect(originAllowed(['https://b.example'], request({ origin: 'https://a.example' }))).toBe(false);
    expect(originAllowed(['https://b.example'], request({ origin: 'https://b.example' }))).toBe(true);
    expect(originAllowed((o) => o.endsWith('.example'), request({ origin: 'https://c.example' }))).toBe(true);
    expect(originAllowed('*', request({ origin: 'https://any.where' }))).toBe(true);
  });
});
