import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientMessageSchema, parseClientMessage } from '../src/client-envelope.js';
import { parseServerMessage, serverMessageSchema } from '../src/envelope.js';

// Values on and around every limit the hot kinds' schemas set, plus wrong types.
const ids = fc.oneof(
  fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER),
  fc.nat(),
  fc.constantFrom(-1, 1.5, 2 ** 53, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, '1', null, true),
);
const text = (max: number) =>
  fc.oneof(
    fc.constantFrom(0, 1, max, max + 1).map((n) => 'x'.repeat(n)),
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.constantFrom(7, null, ['a'], {}),
  );
const payload = fc.option(fc.jsonValue(), { nil: undefined });
/** A record whose `undefined` values are left out, as JSON.parse would. */
const message = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .record({ ...fields, extra: fc.option(fc.jsonValue(), { nil: undefined }) }, { requiredKeys: [] })
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)));
const kind = (t: string) => fc.oneof(fc.constant(t), fc.constantFrom('call', 'result', 'msg', 'nope', 3));

const calls = message({ t: kind('call'), id: ids, p: text(128), d: payload, m: payload });
const results = message({ t: kind('result'), id: ids, d: payload, m: payload });
const msgs = message({
  t: kind('msg'),
  c: text(1024),
  e: text(64),
  o: fc.option(ids, { nil: undefined }),
  d: payload,
  m: payload,
});

describe('hot-path envelope parsing', () => {
  it('accepts exactly what the client message schema accepts', () => {
    fc.assert(
      fc.property(fc.oneof(calls, results, msgs), (raw) => {
        expect(parseClientMessage(raw).success).toBe(clientMessageSchema.safeParse(raw).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts exactly what the server message schema accepts', () => {
    fc.assert(
      fc.property(fc.oneof(calls, results, msgs), (raw) => {
        expect(parseServerMessage(raw) !== undefined).toBe(serverMessageSchema.safeParse(raw).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the hand-checked path for well-formed hot messages', () => {
    // Identity shows the fast path: the schema would return a new, stripped object.
    const call = { t: 'call', id: 9, p: 'echo', d: { text: 'hi' } };
    const parsed = parseClientMessage(call);
    expect(parsed.success && parsed.data).toBe(call);
    const result = { t: 'result', id: 9, d: [1, 2] };
    expect(parseServerMessage(result)).toBe(result);
    const msg = { t: 'msg', c: 'room:{"id":"a"}', e: 'E1', o: 3, d: 'x' };
    expect(parseServerMessage(msg)).toBe(msg);
    const volatile = { t: 'msg', c: 'cursor', e: 'E1', d: 1 };
    expect(parseServerMessage(volatile)).toBe(volatile);
  });

  it('leaves other kinds and malformed hot messages to the schema', () => {
    const welcome = {
      t: 'welcome',
      session: 's',
      conn: 'c',
      limits: { maxMessageBytes: 1, maxCallsInFlight: 1, maxSubscriptions: 1 },
    };
    expect(parseServerMessage(welcome)).toEqual(welcome);
    const badCall = parseClientMessage({ t: 'call', id: -1, p: 'echo' });
    expect(badCall.success).toBe(false);
    expect(badCall.error?.issues[0]?.path).toEqual(['id']);
    expect(parseServerMessage({ t: 'msg', c: '', e: 'E1' })).toBeUndefined();
    expect(parseServerMessage({ t: 'result', id: 2 ** 53 })).toBeUndefined();
  });
});
