/**
 * What the server accepts and what it writes, at and beyond every bound, asserted on the
 * frames a raw socket receives: oversized frames are answered by id and count as abuse; keys,
 * kinds and messages from a client never make the server write a frame the schemas refuse; a
 * `sub` unsubscribed in the same frame is still answered; cancelled calls count until their
 * handlers settle; presence state and membership are bounded; one frame can never pass
 * `maxBufferedBytes`; history a client asked for is paced, never a reason to close it; and what
 * a client makes the server log is rate-limited.
 */
import { CLOSE_CODES } from '@sockkit/core';
import { serverMessageSchema } from '@sockkit/core/protocol';
import type { Logger } from '@sockkit/server';
import { ManualClock } from '@sockkit/testing';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { connect, rawSocket, startServer, stubborn } from './fixtures.js';

/** Every frame a raw socket got meets the protocol's schemas. */
const allValid = (messages: Record<string, unknown>[]) =>
  expect(messages.filter((m) => !serverMessageSchema.safeParse(m).success)).toEqual([]);

describe('frames above maxMessageBytes', () => {
  it('answer every request of an oversized batch by id, and count as a protocol error', async () => {
    await using server = await startServer({ limits: { maxMessageBytes: 64 * 1024, maxProtocolErrors: 2 } });
    await using raw = await rawSocket(server);
    const blob = 'x'.repeat(40 * 1024);
    const batch = [1, 2, 3].map((id) => JSON.stringify({ t: 'call', id, p: 'store', d: { blob } }));
    raw.send(`[${batch.join(',')}]`);
    for (const id of [1, 2, 3]) {
      expect(await raw.next((m) => m.id === id)).toMatchObject({
        t: 'error',
        e: { code: 'PAYLOAD_TOO_LARGE', details: { limit: 64 * 1024 } },
      });
    }
    // A single message too large to parse is answered by the id in its first bytes.
    raw.send(JSON.stringify({ t: 'call', id: 4, p: 'store', d: { blob: blob + blob } }));
    expect(await raw.next((m) => m.id === 4)).toMatchObject({ e: { code: 'PAYLOAD_TOO_LARGE' } });
    // Just under the limit is served.
    raw.send(JSON.stringify({ t: 'call', id: 5, p: 'store', d: { blob } }));
    expect(await raw.next((m) => m.id === 5)).toMatchObject({ t: 'result', d: blob.length });
    // Two oversized frames were tolerated; the third passes maxProtocolErrors.
    raw.send(JSON.stringify({ t: 'call', id: 6, p: 'store', d: { blob: blob + blob } }));
    expect((await raw.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR.code);
    allValid(raw.all);
  });

  it('take one rate token per request they carry', async () => {
    await using server = await startServer({
      limits: { maxMessageBytes: 1024, messageBurst: 4, messagesPerSecond: 0.001 },
    });
    await using raw = await rawSocket(server); // the hello took one token
    const batch = [1, 2, 3, 4, 5].map((id) =>
      JSON.stringify({ t: 'call', id, p: 'store', d: { blob: 'y'.repeat(300) } }),
    );
    raw.send(`[${batch.join(',')}]`);
    const codes = await Promise.all(
      [1, 2, 3, 4].map(async (id) => ((await raw.next((m) => m.id === id)).e as { code: string }).code),
    );
    expect(codes).toEqual(['PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED']);
  });
});

describe('frames the server writes stay within the schemas', () => {
  // `chat:{"room":""}` is 16 characters: a room of 1,008 makes a key of exactly 1,024.
  const roomAt = 'r'.repeat(1024 - 'chat:{"room":""}'.length);

  it('channel keys: params that make a key of 1,024 characters work end to end; one more is refused by id', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const sub = client.subscribe.chat({ room: roomAt });
    await sub.ready;
    expect(sub.channel).toHaveLength(1024);
    await client.publish.chat({ room: roomAt }, { text: 'at the bound' });
    sub.unsubscribe();
    await using raw = await rawSocket(server);
    raw.send(JSON.stringify({ t: 'sub', id: 1, topic: 'chat', params: { room: `${roomAt}r` } }));
    raw.send(
      JSON.stringify({ t: 'pub', id: 2, topic: 'chat', params: { room: `${roomAt}r` }, d: { text: 'x' } }),
    );
    for (const id of [1, 2])
      expect(await raw.next((m) => m.id === id)).toMatchObject({
        t: 'error',
        e: { code: 'BAD_REQUEST', details: { limit: 1024 } },
      });
    await expect(server.publish.chat({ room: `${roomAt}r` }, { text: 'x' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    allValid(raw.all);
  });

  it('a 100,000-character message kind is named, not echoed', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send(JSON.stringify({ t: 'k'.repeat(100_000), id: 7 }));
    const error = await raw.next((m) => m.id === 7);
    expect((error.e as { message: string }).message.length).toBeLessThan(200);
    allValid(raw.all);
  });
});

describe('requests that race', () => {
  it('a sub unsubscribed in the same frame is answered too (CANCELLED), as is the unsub', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('[{"t":"sub","id":1,"topic":"news"},{"t":"unsub","id":2,"c":"news"}]');
    expect(await raw.next((m) => m.id === 2)).toMatchObject({ t: 'result' });
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'error', e: { code: 'CANCELLED' } });
    // Nothing is left subscribed: a publish reaches no one on this socket.
    await server.publish.news(undefined, { n: 1 });
    raw.send('{"t":"ping","id":9}');
    await raw.next((m) => m.t === 'pong');
    expect(raw.messages.filter((m) => m.t === 'msg' || m.t === 'subscribed')).toEqual([]);
  });

  it('a cancelled call counts against maxCallsInFlight until its handler settles, then is answered CANCELLED', async () => {
    await using server = await startServer({ limits: { maxCallsInFlight: 2 } });
    await using raw = await rawSocket(server);
    raw.send('[{"t":"call","id":1,"p":"stubborn","d":{"key":"a"}},{"t":"cancel","id":1}]');
    raw.send('[{"t":"call","id":2,"p":"stubborn","d":{"key":"b"}},{"t":"cancel","id":2}]');
    await expect.poll(() => stubborn.running.size).toBe(2);
    raw.send('{"t":"call","id":3,"p":"echo","d":{"id":3,"text":"x"}}');
    expect(await raw.next((m) => m.id === 3)).toMatchObject({ e: { code: 'LIMIT_EXCEEDED' } });
    stubborn.release('a');
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'error', e: { code: 'CANCELLED' } });
    raw.send('{"t":"call","id":4,"p":"echo","d":{"id":4,"text":"x"}}');
    expect(await raw.next((m) => m.id === 4)).toMatchObject({ t: 'result' });
    stubborn.release('b');
    expect(await raw.next((m) => m.id === 2)).toMatchObject({ e: { code: 'CANCELLED' } });
  });
});

describe('presence bounds', () => {
  it('a state at maxPresenceStateBytes joins; one byte more is PAYLOAD_TOO_LARGE, on sub and on pset', async () => {
    await using server = await startServer({ limits: { maxPresenceStateBytes: 100 } });
    await using raw = await rawSocket(server);
    const name = (bytes: number) => 'n'.repeat(bytes - '{"name":""}'.length);
    raw.send(
      JSON.stringify({
        t: 'sub',
        id: 1,
        topic: 'chat',
        params: { room: 'p' },
        presence: { d: { name: name(101) } },
      }),
    );
    expect(await raw.next((m) => m.id === 1)).toMatchObject({
      e: { code: 'PAYLOAD_TOO_LARGE', details: { limit: 100 } },
    });
    raw.send(
      JSON.stringify({
        t: 'sub',
        id: 2,
        topic: 'chat',
        params: { room: 'p' },
        presence: { d: { name: name(100) } },
      }),
    );
    const subscribed = await raw.next((m) => m.id === 2);
    expect(subscribed).toMatchObject({ t: 'subscribed', presence: [{ d: { name: name(100) } }] });
    raw.send(JSON.stringify({ t: 'pset', id: 3, c: subscribed.c, d: { name: name(101) } }));
    expect(await raw.next((m) => m.id === 3)).toMatchObject({ e: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('a channel holds at most maxPresenceMembers; others may still subscribe without joining', async () => {
    await using server = await startServer({ limits: { maxPresenceMembers: 2 } });
    const members = await Promise.all([1, 2, 3].map(() => rawSocket(server)));
    const replies: Record<string, unknown>[] = [];
    for (const [i, raw] of members.entries()) {
      raw.send(
        JSON.stringify({
          t: 'sub',
          id: 1,
          topic: 'chat',
          params: { room: 'full' },
          presence: { d: { name: `m${i}` } },
        }),
      );
      replies.push(await raw.next((m) => m.id === 1));
    }
    expect(replies.map((r) => r.t)).toEqual(['subscribed', 'subscribed', 'error']);
    expect(replies[2]).toMatchObject({ e: { code: 'LIMIT_EXCEEDED', details: { limit: 2 } } });
    members[2]!.send(JSON.stringify({ t: 'sub', id: 2, topic: 'chat', params: { room: 'full' } }));
    expect(await members[2]!.next((m) => m.id === 2)).toMatchObject({ t: 'subscribed', presence: [{}, {}] });
    for (const raw of members) raw.ws.terminate();
  });
});

describe('backpressure and replay', () => {
  it('one frame larger than maxBufferedBytes closes as a slow consumer instead of being queued', async () => {
    const closes: number[] = [];
    await using server = await startServer({
      limits: { softBufferedBytes: 16 * 1024, maxBufferedBytes: 64 * 1024 },
      onDisconnect: (_conn, info) => closes.push(info.code),
    });
    await using raw = await rawSocket(server);
    raw.send('{"t":"sub","id":1,"topic":"blobs","params":{"id":"big"}}');
    await raw.next((m) => m.id === 1);
    const conn = [...server.connections.values()][0] as unknown as { ws: WebSocket };
    let most = 0;
    conn.ws.on('close', () => {});
    const sampler = setInterval(() => (most = Math.max(most, conn.ws.bufferedAmount)), 0);
    await server.publish.blobs({ id: 'big' }, { data: 'b'.repeat(100 * 1024) });
    expect((await raw.closed).code).toBe(CLOSE_CODES.SLOW_CONSUMER.code);
    clearInterval(sampler);
    await expect.poll(() => closes).toEqual([CLOSE_CODES.SLOW_CONSUMER.code]);
    expect(most).toBeLessThan(64 * 1024);
    expect(raw.messages.filter((m) => m.t === 'msg')).toEqual([]);
  });

  it('a client resuming over 12 MB of history gets every message once, in order, and is not closed', async () => {
    const closes: number[] = [];
    await using server = await startServer({ onDisconnect: (_conn, info) => closes.push(info.code) });
    const data = 'h'.repeat(100 * 1024);
    const first = await server.publish.blobs({ id: 'history' }, { data });
    for (let i = 1; i < 120; i++) await server.publish.blobs({ id: 'history' }, { data });
    const from = { epoch: first.epoch, offset: 0 };
    await using raw = await rawSocket(server);
    raw.send(JSON.stringify({ t: 'sub', id: 1, topic: 'blobs', params: { id: 'history' }, from }));
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'subscribed', recovered: true });
    await expect.poll(() => raw.messages.filter((m) => m.t === 'msg').length, { timeout: 20_000 }).toBe(120);
    const offsets = raw.messages.filter((m) => m.t === 'msg').map((m) => m.o);
    expect(offsets).toEqual(Array.from({ length: 120 }, (_, i) => from.offset + i + 1));
    // Live traffic continues seamlessly after the replay.
    await server.publish.blobs({ id: 'history' }, { data: 'live' });
    expect(await raw.next((m) => m.t === 'msg' && m.o === from.offset + 121)).toMatchObject({
      d: { data: 'live' },
    });
    expect(closes).toEqual([]);
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
  }, 60_000);
});

describe('what a client makes the server log', () => {
  it('is rate-limited per connection: 1,900 id-less error frames make at most a burst of lines', async () => {
    const clock = new ManualClock();
    const lines: { message: string; meta?: Record<string, unknown> | undefined }[] = [];
    const logger: Logger = { warn: (meta, message) => lines.push({ message, meta }), error: () => {} };
    await using server = await startServer({ clock, logger, heartbeatMs: 0 });
    await using raw = await rawSocket(server);
    const error = '{"t":"error","e":{"code":"INTERNAL","message":"x"}}';
    for (let i = 0; i < 19; i++) raw.send(`[${Array.from({ length: 100 }, () => error).join(',')}]`);
    raw.send('{"t":"ping","id":1}');
    await raw.next((m) => m.t === 'pong');
    const reported = lines.filter((l) => l.message === 'client reported an error');
    expect(reported).toHaveLength(10);
    clock.advance(60_000);
    raw.send(error);
    raw.send('{"t":"ping","id":2}');
    await raw.next((m) => m.t === 'pong' && m.id === 2);
    expect(lines.at(-1)).toMatchObject({ message: 'client reported an error', meta: { suppressed: 1890 } });
  });
});
