/**
 * The protocol module against its specification, the schemas:
 * - every builder's output is accepted by the schema of its kind, for any input that meets the
 *   builder's preconditions, at and beyond every bound it clamps;
 * - the hand-written reader of server messages and the hot path of the client-message reader
 *   reach the same verdict as the schemas on messages around every bound, of every kind;
 * - frames split by byte size stay within the limit, in order, losing nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelKey } from '../src/channels.js';
import { superjsonCodec } from '../src/codec.js';
import { errorCodeList } from '../src/codes.js';
import { MAX_WIRE_ISSUES, toWireIssues, type WireError } from '../src/errors.js';
import { codePoints, WIRE_BOUNDS } from '../src/protocol/bounds.js';
import * as build from '../src/protocol/build.js';
import { batchFrame, peekRequestId, readFrame, splitBatches, utf8Length } from '../src/protocol/frame.js';
import { describeKind, readClientMessage } from '../src/protocol/read-client.js';
import { readServerMessage } from '../src/protocol/read-server.js';
import { clientMessageSchema, serverMessageSchema } from '../src/protocol/schemas.js';

// ---- arbitraries ------------------------------------------------------------------------------

const safeId = fc.oneof(fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER), fc.nat());
/** Text of 1..max code points, often exactly at the bound, sometimes with astral characters. */
const textWithin = (max: number) =>
  fc.oneof(
    fc.constantFrom(1, max).map((n) => 'x'.repeat(n)),
    fc.constant('😀'.repeat(max)),
    fc.string({ minLength: 1, maxLength: Math.min(max, 40), unit: 'binary' }),
  );
const name = fc.oneof(
  fc.constant('a'.repeat(WIRE_BOUNDS.name)),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/),
);
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.date({ noInvalidDate: true }),
  fc.bigInt(),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 8 }),
  // superjson refuses to encode the keys `prototype`, `constructor` and `__proto__`.
  fc.dictionary(fc.stringMatching(/^[a-z]{0,8}$/), fc.oneof(fc.date({ noInvalidDate: true }), fc.integer())),
);
const payload = anyValue.map((value) => superjsonCodec.encode(value));
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
/** A W3C traceparent of version 00. */
const validTraceparent = fc
  .tuple(hex(32), hex(16), hex(2))
  .map(([trace, span, flags]) => `00-${trace}-${span}-${flags}`);
/** Traceparents and near misses: other versions, upper case, a field too short, any string. */
const traceparents = fc.oneof(
  validTraceparent,
  validTraceparent.map((tp) => tp.toUpperCase()),
  validTraceparent.map((tp) => `01${tp.slice(2)}`),
  validTraceparent.map((tp) => tp.slice(0, -1)),
  validTraceparent.map((tp) => `${tp}-00`),
  fc.string(),
  fc.constant(7),
);
const position = fc.record({ epoch: textWithin(WIRE_BOUNDS.epoch), offset: safeId });
const member = fc.record({
  conn: fc.string(),
  user: fc.option(fc.string(), { nil: undefined }),
  state: payload,
});
/** Errors as apps and peers make them: long messages, odd details (typed loosely on purpose). */
const wireError: fc.Arbitrary<WireError> = fc.record({
  code: fc.constantFrom(...errorCodeList),
  message: fc.oneof(
    fc.string({ unit: 'binary' }),
    fc
      .constantFrom(0, WIRE_BOUNDS.errorMessage, WIRE_BOUNDS.errorMessage + 1, 100_023)
      .map((n) => 'k'.repeat(n)),
    fc.constant(`${'k'.repeat(WIRE_BOUNDS.errorMessage - 1)}😀`),
  ),
  details: fc.oneof(
    fc.constant(undefined),
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.constant({ big: 1n }),
    fc.constant({ huge: 'x'.repeat(WIRE_BOUNDS.errorDetails) }),
    fc.constant([1, 2]),
    fc.constant({ toJSON: () => 'not an object' }),
  ),
}) as fc.Arbitrary<WireError>;

const accepts = (schema: typeof clientMessageSchema | typeof serverMessageSchema, frame: string) => {
  const parsed = schema.safeParse(JSON.parse(frame));
  if (!parsed.success) throw new Error(`${frame.slice(0, 300)}\n${parsed.error.message}`);
  return parsed.data as Record<string, unknown>;
};
const toServer = (frame: string) => accepts(clientMessageSchema, frame);
const toClient = (frame: string) => accepts(serverMessageSchema, frame);

// ---- builders -------------------------------------------------------------------------------

describe('builders write what the schemas accept', () => {
  it('call, result, error, cancel, ping and pong, in both directions', () => {
    fc.assert(
      fc.property(
        safeId,
        name,
        payload,
        wireError,
        fc.option(safeId, { nil: undefined }),
        fc.option(validTraceparent, { nil: undefined }),
        (id, p, data, e, maybe, tp) => {
          // A client's call carries its trace context; the server's calls carry none.
          expect(toServer(build.callFrame(id, p, data, tp)).tp).toBe(tp);
          for (const read of [toServer, toClient]) {
            expect(read(build.callFrame(id, p, data))).toMatchObject({ t: 'call', id, p });
            expect(read(build.resultFrame(id, data))).toMatchObject({ t: 'result', id });
            const error = read(build.errorFrame(maybe, e));
            expect(error).toMatchObject({ t: 'error', e: { code: e.code } });
            expect(error.id).toBe(maybe);
            expect(read(build.cancelFrame(id))).toEqual({ t: 'cancel', id });
            expect(read(build.chunkFrame(id, data))).toMatchObject({ t: 'chunk', id });
            expect(read(build.pingFrame(maybe))).toEqual(
              maybe === undefined ? { t: 'ping' } : { t: 'ping', id: maybe },
            );
            expect(read(build.pongFrame(maybe))).toEqual(
              maybe === undefined ? { t: 'pong' } : { t: 'pong', id: maybe },
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('error messages are clamped to the bound, never split inside a character; bad details are replaced', () => {
    const long = JSON.parse(build.errorFrame(1, { code: 'BAD_REQUEST', message: 'k'.repeat(100_023) }));
    expect(long.e.message).toHaveLength(WIRE_BOUNDS.errorMessage);
    expect(long.e.message.endsWith('…')).toBe(true);
    const astral = JSON.parse(
      build.errorFrame(1, {
        code: 'BAD_REQUEST',
        message: `${'k'.repeat(WIRE_BOUNDS.errorMessage - 2)}😀😀`,
      }),
    );
    expect(astral.e.message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const exact = JSON.parse(
      build.errorFrame(1, { code: 'BAD_REQUEST', message: 'k'.repeat(WIRE_BOUNDS.errorMessage) }),
    );
    expect(exact.e.message).toBe('k'.repeat(WIRE_BOUNDS.errorMessage));
    const big = JSON.parse(
      build.errorFrame(1, { code: 'CONFLICT', message: 'x', details: { n: 1n } as never }),
    );
    expect(big.e.details).toEqual({ truncated: true });
    const fits = JSON.parse(
      build.errorFrame(1, { code: 'CONFLICT', message: 'x', details: { expected: 3 } }),
    );
    expect(fits.e.details).toEqual({ expected: 3 });
  });

  it('stream kinds: more (both ways) at its bounds, stream and end (client to server)', () => {
    const credit = fc.oneof(fc.constantFrom(1, WIRE_BOUNDS.window), fc.integer({ min: 1, max: 100 }));
    fc.assert(
      fc.property(safeId, name, payload, credit, fc.boolean(), (id, p, data, n, windowed) => {
        for (const read of [toServer, toClient])
          expect(read(build.moreFrame(id, n))).toEqual({ t: 'more', id, n });
        const w = windowed ? n : undefined;
        const opened = toServer(build.streamFrame(id, p, data, w));
        expect(opened).toMatchObject({ t: 'stream', id, p });
        expect(opened.w).toBe(w);
        expect(toServer(build.endFrame(id))).toEqual({ t: 'end', id });
      }),
      { numRuns: 300 },
    );
    for (const n of [0, WIRE_BOUNDS.window + 1, 1.5])
      expect(clientMessageSchema.safeParse({ t: 'more', id: 1, n }).success).toBe(false);
    expect(serverMessageSchema.safeParse({ t: 'stream', id: 1, p: 'x' }).success).toBe(false);
  });

  it('client kinds: hello, auth, sub, unsub, pub, pset', () => {
    fc.assert(
      fc.property(
        safeId,
        name,
        fc.jsonValue(),
        fc.option(position, { nil: undefined }),
        fc.option(payload, { nil: undefined }),
        textWithin(WIRE_BOUNDS.channel),
        payload,
        fc.boolean(),
        (id, topic, params, from, presence, channel, data, volatile) => {
          expect(toServer(build.helloFrame(params))).toMatchObject({ t: 'hello' });
          expect(toServer(build.helloFrame(undefined))).toEqual({ t: 'hello' });
          expect(toServer(build.authFrame(id, params))).toMatchObject({ t: 'auth', id });
          const sub = toServer(build.subFrame(id, topic, params, from, presence));
          expect(sub).toMatchObject({ t: 'sub', id, topic });
          expect(sub.from).toEqual(from);
          expect(toServer(build.unsubFrame(id, channel))).toEqual({ t: 'unsub', id, c: channel });
          const pub = toServer(build.pubFrame(id, topic, params, data, volatile));
          expect(pub).toMatchObject({ t: 'pub', id, topic });
          expect(pub.volatile).toBe(volatile ? true : undefined);
          expect(toServer(build.psetFrame(id, channel, data))).toMatchObject({ t: 'pset', id, c: channel });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('server kinds: welcome, authok, subscribed, unsubscribed, msg, presence', () => {
    fc.assert(
      fc.property(
        fc.option(safeId, { nil: undefined }),
        name,
        fc.jsonValue(),
        textWithin(WIRE_BOUNDS.channel),
        position,
        fc.option(fc.array(member, { maxLength: 4 }), { nil: undefined }),
        fc.option(wireError, { nil: undefined }),
        payload,
        (id, topic, params, channel, pos, members, e, data) => {
          const limits = { maxMessageBytes: 1, maxCallsInFlight: 2, maxSubscriptions: 3 };
          expect(toClient(build.welcomeFrame('s', 'c', undefined, limits))).toMatchObject({
            t: 'welcome',
            limits,
          });
          expect(toClient(build.welcomeFrame('s', 'c', 17, limits))).toMatchObject({ expiresAt: 17 });
          expect(toClient(build.authokFrame(id ?? 1, id))).toMatchObject({ t: 'authok' });
          const subscribed = toClient(
            build.subscribedFrame({ id, topic, params, channel, position: pos, recovered: true, members }),
          );
          expect(subscribed).toMatchObject({
            t: 'subscribed',
            topic,
            c: channel,
            epoch: pos.epoch,
            offset: pos.offset,
          });
          expect((subscribed.presence as unknown[] | undefined)?.length).toBe(members?.length);
          expect(toClient(build.unsubscribedFrame(channel, e))).toMatchObject({
            t: 'unsubscribed',
            c: channel,
          });
          const cj = JSON.stringify(channel);
          expect(toClient(build.msgFrame(cj, JSON.stringify(pos.epoch), pos.offset, data))).toMatchObject({
            t: 'msg',
            c: channel,
            o: pos.offset,
          });
          if (members?.[0])
            expect(toClient(build.presenceFrame(cj, 'update', members[0]))).toMatchObject({
              t: 'presence',
              member: { conn: members[0].conn },
            });
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- readers --------------------------------------------------------------------------------

/** Values on and around each bound, of the right type and of wrong ones. */
const ids = fc.oneof(
  safeId,
  fc.constantFrom(-1, -0, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '1', null, true, undefined),
);
const text = (max: number) =>
  fc.oneof(
    fc.constantFrom(0, 1, max, max + 1).map((n) => 'x'.repeat(n)),
    fc.constantFrom(max, max + 1).map((n) => '😀'.repeat(n)),
    fc.constant(`${'x'.repeat(max - 1)}\uD800`),
    fc.string({ maxLength: 20, unit: 'binary' }),
    fc.constantFrom(7, null, ['a'], {}, undefined),
  );
const numbers = fc.oneof(fc.double(), fc.integer(), fc.constantFrom('1', null, undefined));
const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
const errorShape = fc.oneof(
  fc.record(
    {
      code: fc.oneof(fc.constantFrom(...errorCodeList), fc.constantFrom('NOPE', 'toString', 1)),
      message: text(WIRE_BOUNDS.errorMessage),
      details: fc.oneof(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.constantFrom([], 'x', null, undefined),
      ),
    },
    { requiredKeys: [] },
  ),
  anything,
);
const memberShape = fc.oneof(
  fc.record(
    {
      conn: fc.oneof(fc.string(), fc.constantFrom(1, null)),
      user: fc.oneof(fc.string(), fc.constant(2)),
      d: anything,
    },
    { requiredKeys: [] },
  ),
  anything,
);
/** A record whose `undefined` values are left out, as JSON.parse would. */
const message = (t: string, fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .record(
      { t: fc.oneof(fc.constant(t), fc.constantFrom('call', 'nope', 3)), ...fields, extra: anything },
      { requiredKeys: ['t'] },
    )
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)));

const channel = text(WIRE_BOUNDS.channel);
const credits = fc.oneof(
  fc.constantFrom(0, 1, WIRE_BOUNDS.window, WIRE_BOUNDS.window + 1, 2.5, -1, '1', null),
  fc.integer({ min: 1, max: 100 }),
);
const epoch = text(WIRE_BOUNDS.epoch);
const serverMessages = fc.oneof(
  message('welcome', {
    session: fc.oneof(fc.string(), fc.constant(1)),
    conn: fc.oneof(fc.string(), fc.constant(null)),
    expiresAt: numbers,
    limits: fc.oneof(
      fc.record(
        { maxMessageBytes: numbers, maxCallsInFlight: numbers, maxSubscriptions: numbers },
        { requiredKeys: [] },
      ),
      anything,
    ),
  }),
  message('authok', { id: ids, expiresAt: numbers }),
  message('call', { id: ids, p: text(WIRE_BOUNDS.name), d: anything, m: anything, tp: traceparents }),
  message('result', { id: ids, d: anything, m: anything }),
  message('error', { id: ids, e: errorShape }),
  message('cancel', { id: ids }),
  message('subscribed', {
    id: ids,
    topic: text(WIRE_BOUNDS.name),
    params: anything,
    c: channel,
    epoch,
    offset: ids,
    recovered: fc.oneof(fc.boolean(), fc.constantFrom(0, 'true')),
    presence: fc.oneof(fc.array(memberShape, { maxLength: 3 }), anything),
  }),
  message('unsubscribed', { c: channel, e: errorShape }),
  message('msg', { c: channel, e: epoch, o: ids, d: anything, m: anything }),
  message('presence', {
    c: channel,
    ev: fc.constantFrom('join', 'update', 'leave', 'gone', 1),
    member: memberShape,
  }),
  message('ping', { id: ids }),
  message('pong', { id: ids }),
  message('chunk', { id: ids, d: anything, m: anything }),
  message('more', { id: ids, n: credits }),
  anything,
);

describe('readers agree with the schemas', () => {
  it('the hand-written reader of server messages, on every kind', () => {
    fc.assert(
      fc.property(serverMessages, (raw) => {
        expect(readServerMessage(raw) !== undefined).toBe(serverMessageSchema.safeParse(raw).success);
      }),
      { numRuns: 5000 },
    );
  });

  it('returns the message itself (no parsed copy) when it passes', () => {
    const msg = { t: 'msg', c: 'room:{"id":"a"}', e: 'E1', o: 3, d: 'x' };
    expect(readServerMessage(msg)).toBe(msg);
    expect(readServerMessage({ t: 'toString' })).toBeUndefined();
    expect(readServerMessage({ t: '__proto__' })).toBeUndefined();
  });

  it('the client-message reader: hot call and hello paths and schema give the same verdict', () => {
    const calls = message('call', {
      id: ids,
      p: text(WIRE_BOUNDS.name),
      d: anything,
      m: anything,
      tp: traceparents,
    });
    const streams = fc.oneof(
      message('stream', { id: ids, p: text(WIRE_BOUNDS.name), d: anything, w: credits }),
      message('end', { id: ids }),
    );
    const hellos = message('hello', { params: anything, session: text(WIRE_BOUNDS.session) });
    fc.assert(
      fc.property(fc.oneof(calls, streams, hellos, serverMessages), (raw) => {
        expect(readClientMessage(raw).success).toBe(clientMessageSchema.safeParse(raw).success);
      }),
      { numRuns: 5000 },
    );
    const call = { t: 'call', id: 9, p: 'echo', d: { text: 'hi' } };
    const parsed = readClientMessage(call);
    expect(parsed.success && parsed.data).toBe(call);
    // A traced call takes the same path (no parsed copy); a bad `tp` still goes to the schema.
    const traced = { ...call, tp: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const read = readClientMessage(traced);
    expect(read.success && read.data).toBe(traced);
    expect(readClientMessage({ ...call, tp: '00-zz' }).success).toBe(false);
    const hello = { t: 'hello', params: { token: 't' }, session: 's'.repeat(WIRE_BOUNDS.session) };
    const greeted = readClientMessage(hello);
    expect(greeted.success && greeted.data).toBe(hello);
    expect(readClientMessage({ ...hello, session: 'x'.repeat(WIRE_BOUNDS.session + 1) }).success).toBe(false);
  });

  it('names bad kinds without echoing them', () => {
    expect(describeKind({ t: 'x'.repeat(100_000) })).toHaveLength(
      'unknown message kind '.length + 34 + '… (100000 characters)'.length,
    );
    expect(describeKind({ t: 'sub' })).toBe("malformed 'sub' message");
    expect(describeKind({ t: 3 })).toBe('unknown message kind 3');
    expect(describeKind({ t: { big: 'x'.repeat(1000) } })).toBe('unknown message kind an object');
    expect(describeKind({})).toBe('unknown message kind null');
  });
});

// ---- frames ---------------------------------------------------------------------------------

describe('frames', () => {
  it('reads single messages and batches, and rejects the rest', () => {
    expect(readFrame('{"t":"ping"}')).toEqual([{ t: 'ping' }]);
    expect(readFrame(batchFrame(['{"t":"ping"}', '{"t":"pong"}']))).toEqual([{ t: 'ping' }, { t: 'pong' }]);
    expect(readFrame('{')).toBe('json');
    expect(readFrame('"str"')).toBe('shape');
    expect(readFrame('[]')).toBe('shape');
  });

  it('splits batches so every frame fits the byte limit, in order, losing nothing', () => {
    const messages = fc.array(
      fc
        .oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.nat(2000).map((n) => 'é'.repeat(n)),
          fc.nat(600).map((n) => '😀'.repeat(n)),
        )
        .map((s) => JSON.stringify({ t: 'call', d: s })),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(messages, fc.integer({ min: 64, max: 20_000 }), (list, max) => {
        const batches = splitBatches(list, max);
        expect(batches.flat()).toEqual(list);
        for (const batch of batches) {
          const bytes = Buffer.byteLength(batchFrame(batch));
          if (batch.length > 1) expect(bytes).toBeLessThanOrEqual(max);
          else if (bytes > max) expect(Buffer.byteLength(batch[0]!)).toBeGreaterThan(max - 2);
          expect(readFrame(batchFrame(batch))).toHaveLength(batch.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('counts UTF-8 bytes exactly, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        (a, b) => {
          for (const s of [a, b, `${a}\uD800`, `\uDC00${b}`])
            expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('peeks the request id of a message too large to parse', () => {
    expect(peekRequestId(`{"t":"call","id":42,"p":"x","d":"${'a'.repeat(10_000)}`)).toBe(42);
    expect(peekRequestId(`{"t":"pub","id":7,"topic":"x"`)).toBe(7);
    expect(peekRequestId('{"t":"msg","c":"x"}')).toBeUndefined();
  });
});

describe('bounds kept where values are made', () => {
  it('channel keys are at most 1,024 characters, counted in code points', () => {
    const at = channelKey('doc', { id: 'x'.repeat(WIRE_BOUNDS.channel - 'doc:{"id":""}'.length) });
    expect(at).toHaveLength(WIRE_BOUNDS.channel);
    expect(() => channelKey('doc', { id: 'x'.repeat(WIRE_BOUNDS.channel) })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    const astral = channelKey('doc', { id: '😀'.repeat(WIRE_BOUNDS.channel - 'doc:{"id":""}'.length) });
    expect(codePoints(astral)).toBe(WIRE_BOUNDS.channel);
    expect(channelKey('doc', { id: 'a', v: 1 })).toBe(channelKey('doc', { v: 1, id: 'a' }));
    expect(channelKey('news', undefined)).toBe('news');
  });

  it('validation issues are bounded in count and size', () => {
    const issues = Array.from({ length: 5000 }, () => ({
      path: ['k'.repeat(900_000), ...Array.from({ length: 100 }, (_, i) => i)],
      message: 'm'.repeat(10_000),
      code: 'invalid_type',
    }));
    const wire = toWireIssues(issues);
    expect(wire).toHaveLength(MAX_WIRE_ISSUES);
    expect(JSON.stringify(wire).length).toBeLessThan(WIRE_BOUNDS.errorDetails);
  });
});
