/**
 * Streams over real sockets: order, credit (asserted on frames as sent), cancellation from
 * either side, errors mid-stream, link drops, limits and bad chunks.
 */
import { SockkitError } from '@sockkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { rawSocket } from './fixtures.js';
import { connectStreams, seen, startStreamServer, until } from './stream-fixtures.js';

afterEach(() => seen.reset());

const kinds = (messages: Record<string, unknown>[], id: number) =>
  messages.filter((m) => m.id === id).map((m) => m.t);

describe('server streams', () => {
  it('delivers every chunk in order, then the final value', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const stream = client.stream.count({ n: 1000, from: 5 }, { window: 16 });
    const got: number[] = [];
    for await (const n of stream) got.push(n);
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i + 5));
    await expect(stream.result).resolves.toEqual({ sent: 1000 });
  });

  it('sends no chunk beyond the credit the caller granted, and more after each `more`', async () => {
    await using server = await startStreamServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"stream","id":1,"p":"endless","d":{"key":"raw"},"w":3}');
    await until(() => kinds(raw.all, 1).length === 3);
    // The generator was pulled for the three chunks granted and is suspended at its third yield.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(kinds(raw.all, 1)).toEqual(['chunk', 'chunk', 'chunk']);
    expect(seen.pulls.get('raw')).toBe(3);
    raw.send('{"t":"more","id":1,"n":2}');
    await until(() => kinds(raw.all, 1).length === 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(raw.all.filter((m) => m.t === 'chunk').map((m) => m.d)).toEqual([0, 1, 2, 3, 4]);
    expect(seen.pulls.get('raw')).toBe(5);
    raw.send('{"t":"cancel","id":1}');
    await expect(raw.next((m) => m.id === 1 && m.t === 'error')).resolves.toMatchObject({
      e: { code: 'CANCELLED' },
    });
    expect(seen.finallyRan.has('raw')).toBe(true);
  });

  it('a loop that stops reading stops the generator; reading again resumes it', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const stream = client.stream.endless({ key: 'paused' }, { window: 8 });
    const first = await stream.next();
    expect(first).toEqual({ value: 0, done: false });
    await until(() => seen.pulls.get('paused') === 8);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // One chunk taken of a window of 8: no grant yet (grants go at half the window).
    expect(seen.pulls.get('paused')).toBe(8);
    for (let i = 1; i < 100; i++) expect((await stream.next()).value).toBe(i);
    expect(seen.pulls.get('paused')).toBeGreaterThanOrEqual(100);
    expect(seen.pulls.get('paused')).toBeLessThanOrEqual(100 + 8);
    stream.cancel();
  });

  it('`break` cancels the handler: its signal aborts, its finally runs, its slot frees', async () => {
    await using server = await startStreamServer({ limits: { maxCallsInFlight: 1 } });
    await using client = connectStreams(server);
    const stream = client.stream.endless({ key: 'broken' });
    for await (const n of stream) if (n === 10) break;
    await until(() => seen.finallyRan.has('broken'));
    expect(seen.abortReason.get('broken')).toMatchObject({ code: 'CANCELLED' });
    await expect(stream.result).rejects.toMatchObject({ code: 'CANCELLED' });
    // The one slot is free again once the server answered the cancel.
    await expect(client.call.ping()).resolves.toBe('pong');
  });

  it('an abort signal ends the loop with CANCELLED', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const controller = new AbortController();
    const got: number[] = [];
    const error = await (async () => {
      for await (const n of client.stream.endless({ key: 'aborted' }, { signal: controller.signal })) {
        got.push(n);
        if (n === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SockkitError);
    expect((error as SockkitError).code).toBe('CANCELLED');
    await until(() => seen.finallyRan.has('aborted'));
    expect(got.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it('a handler that throws ends the loop with its SockkitError, after the chunks before it', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const got: number[] = [];
    const error = await (async () => {
      for await (const n of client.stream.failing({ before: 5, kind: 'sockkit' })) got.push(n);
    })().catch((e: unknown) => e);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'source changed', details: { at: 5 } });
  });

  it('any other failure, and a chunk off the contract, reach the caller as INTERNAL without detail', async () => {
    const logged: unknown[] = [];
    await using server = await startStreamServer({
      logger: { warn: () => {}, error: (_fields, message) => logged.push(message) },
    });
    await using client = connectStreams(server);
    for (const kind of ['plain', 'chunk'] as const) {
      const stream = client.stream.failing({ before: 1, kind });
      expect(await stream.next()).toEqual({ value: 0, done: false });
      const error = await stream.next().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INTERNAL', message: 'internal server error' });
    }
    expect(logged).toEqual(["stream 'failing' failed", "stream 'failing' failed"]);
  });

  it('a link drop ends the stream with UNAVAILABLE on both sides', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const stream = client.stream.endless({ key: 'dropped' });
    await stream.next();
    for (const conn of server.connections.values()) conn.close(1012, 'restart');
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    await until(() => seen.finallyRan.has('dropped'));
    expect(seen.abortReason.get('dropped')).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('a stream with no chunk and no credit for its idle timeout ends with TIMEOUT', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const error = await client.stream
      .silent()
      .next()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT', details: { limit: 100 } });
  });

  it('a paused consumer past the idle timeout ends with TIMEOUT; one that reads does not', async () => {
    // 500 ms: a reader's 10 ms pauses must stay far below it even on two busy cores (a CI run
    // at 150 ms timed the reader out), while its whole read (at least 800 ms) lasts longer.
    await using server = await startStreamServer({ limits: { streamIdleTimeoutMs: 500 } });
    await using client = connectStreams(server);
    const paused = client.stream.endless({ key: 'idle' }, { window: 2 });
    await paused.next();
    await expect(paused.result).rejects.toMatchObject({ code: 'TIMEOUT' });
    await until(() => seen.finallyRan.has('idle'));
    // A reader that keeps taking chunks for longer than the timeout (80 pauses of at least
    // 10 ms) is never idle.
    const reading = client.stream.count({ n: 80 }, { window: 2 });
    let n = 0;
    for await (const _ of reading) {
      n++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(n).toBe(80);
  });

  it('a chunk above maxStreamChunkBytes ends the stream with PAYLOAD_TOO_LARGE', async () => {
    await using server = await startStreamServer({ limits: { maxStreamChunkBytes: 1000 } });
    await using client = connectStreams(server);
    await expect(client.stream.big(990).next()).resolves.toMatchObject({ done: false });
    const error = await client.stream
      .big(1000)
      .next()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 1000 } });
  });

  it('bad input and unknown streams are refused like calls, and the connection stays up', async () => {
    await using server = await startStreamServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"stream","id":1,"p":"count","d":{"n":"x"}}');
    await expect(raw.next((m) => m.id === 1)).resolves.toMatchObject({
      t: 'error',
      e: { code: 'BAD_REQUEST', details: { issues: [{ path: ['n'] }] } },
    });
    raw.send('{"t":"stream","id":2,"p":"nope"}');
    await expect(raw.next((m) => m.id === 2)).resolves.toMatchObject({ e: { code: 'NOT_FOUND' } });
    raw.send('{"t":"stream","id":3,"p":"count","d":{"n":1},"w":0}');
    await expect(raw.next((m) => m.id === 3)).resolves.toMatchObject({ e: { code: 'BAD_REQUEST' } });
    raw.send('{"t":"more","id":4,"n":70000}');
    await expect(raw.next((m) => m.id === 4)).resolves.toMatchObject({ e: { code: 'BAD_REQUEST' } });
    raw.send('{"t":"call","id":5,"p":"ping"}');
    await expect(raw.next((m) => m.id === 5)).resolves.toMatchObject({ t: 'result' });
  });
});

describe('client streams', () => {
  it('delivers the caller’s chunks in order and answers once', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const numbers = Array.from({ length: 500 }, (_, i) => i);
    await expect(client.stream.sum(undefined, { source: numbers })).resolves.toBe((499 * 500) / 2);
    async function* slowly() {
      for (let i = 1; i <= 40; i++) {
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        yield i;
      }
    }
    await expect(client.stream.sum(undefined, { source: slowly() })).resolves.toBe(820);
  });

  it('pulls the source only as far as the server’s credit (window, then grants as it reads)', async () => {
    await using server = await startStreamServer({ limits: { streamWindow: 4 } });
    await using client = connectStreams(server);
    let pulled = 0;
    async function* source() {
      for (;;) {
        pulled++;
        yield 'x';
      }
    }
    const answer = client.stream.hold({ key: 'credit' }, { source: source() });
    // The handler reads as fast as chunks come, granting credit back; the source never runs
    // ahead of what the handler read by more than the window (plus the chunk being pulled).
    await until(() => (seen.pulls.get('credit') ?? 0) > 100);
    expect(pulled - (seen.pulls.get('credit') ?? 0)).toBeLessThanOrEqual(4 + 1);
    for (const conn of server.connections.values()) conn.close(1012, 'restart');
    await expect(answer).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await until(() => seen.finallyRan.has('credit'));
    expect(seen.readErrors.get('credit')).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('the server grants the window at once, then `more` as the handler reads; chunks beyond it end the stream', async () => {
    await using server = await startStreamServer({ limits: { streamWindow: 2 } });
    await using raw = await rawSocket(server);
    raw.send('{"t":"stream","id":1,"p":"sum"}');
    await expect(raw.next((m) => m.id === 1)).resolves.toEqual({ t: 'more', id: 1, n: 2 });
    raw.send('[{"t":"chunk","id":1,"d":1},{"t":"chunk","id":1,"d":2}]');
    await expect(raw.next((m) => m.id === 1)).resolves.toEqual({ t: 'more', id: 1, n: 1 });
    await expect(raw.next((m) => m.id === 1)).resolves.toEqual({ t: 'more', id: 1, n: 1 });
    raw.send('{"t":"end","id":1}');
    await expect(raw.next((m) => m.id === 1)).resolves.toEqual({ t: 'result', id: 1, d: 3 });

    raw.send('{"t":"stream","id":2,"p":"hold","d":{"key":"flood"}}');
    await raw.next((m) => m.id === 2 && m.t === 'more');
    // Five chunks in one frame against a credit of two (three, with the one the handler's
    // waiting read takes at once and grants back): the fourth is beyond it.
    raw.send(`[${'{"t":"chunk","id":2,"d":"x"},'.repeat(5).slice(0, -1)}]`);
    await expect(raw.next((m) => m.id === 2 && m.t === 'error')).resolves.toMatchObject({
      e: { code: 'BAD_REQUEST', message: expect.stringContaining('beyond the credit') },
    });
    await until(() => seen.finallyRan.has('flood'));
  });

  it('a bad chunk ends the stream with BAD_REQUEST and its issues; the handler’s read throws', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const source = ['a', 'b', 3 as unknown as string, 'd'];
    const error = await client.stream.hold({ key: 'bad' }, { source }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', details: { issues: [{ code: 'invalid_type' }] } });
    await until(() => seen.finallyRan.has('bad'));
    expect(seen.readErrors.get('bad')).toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.call.ping()).resolves.toBe('pong');
  });

  it('a chunk above maxStreamChunkBytes ends the stream with PAYLOAD_TOO_LARGE', async () => {
    await using server = await startStreamServer({ limits: { maxStreamChunkBytes: 2000 } });
    await using client = connectStreams(server);
    const error = await client.stream
      .hold({ key: 'large' }, { source: ['ok', 'y'.repeat(3000)] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 2000 } });
    expect(seen.pulls.get('large')).toBe(1);
  });

  it('a handler that answers early stops the source (its finally runs)', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    let closed = false;
    async function* source() {
      try {
        for (;;) yield 'x';
      } finally {
        closed = true;
      }
    }
    await expect(client.stream.short({ take: 3 }, { source: source() })).resolves.toBe(3);
    await until(() => closed);
  });

  it('a source that throws cancels the handler and rejects with the source’s error', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    async function* source() {
      yield 'a';
      throw new Error('disk read failed');
    }
    await expect(client.stream.hold({ key: 'thrown' }, { source: source() })).rejects.toThrow(
      'disk read failed',
    );
    await until(() => seen.finallyRan.has('thrown'));
    expect(seen.abortReason.get('thrown')).toMatchObject({ code: 'CANCELLED' });
  });

  it('an abort signal ends the upload with CANCELLED and cancels the handler', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const controller = new AbortController();
    async function* source() {
      for (let i = 0; ; i++) {
        if (i === 20) controller.abort();
        yield 'x';
      }
    }
    await expect(
      client.stream.hold({ key: 'stop' }, { source: source(), signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    await until(() => seen.finallyRan.has('stop'));
  });

  it('carries Uint8Array chunks', async () => {
    await using server = await startStreamServer();
    await using client = connectStreams(server);
    const chunks = Array.from({ length: 10 }, (_, i) => new Uint8Array(1000).fill(i));
    await expect(client.stream.upload({ name: 'f.bin' }, { source: chunks })).resolves.toEqual({
      name: 'f.bin',
      bytes: 10_000,
      chunks: 10,
    });
  });
});

describe('limits shared with calls', () => {
  it('streams count against maxCallsInFlight: a call or stream past it is refused', async () => {
    await using server = await startStreamServer({ limits: { maxCallsInFlight: 2 } });
    await using raw = await rawSocket(server);
    raw.send('{"t":"stream","id":1,"p":"endless","d":{"key":"a"},"w":1}');
    raw.send('{"t":"stream","id":2,"p":"hold","d":{"key":"b"}}');
    await raw.next((m) => m.id === 2 && m.t === 'more');
    raw.send('{"t":"call","id":3,"p":"ping"}');
    raw.send('{"t":"stream","id":4,"p":"count","d":{"n":1}}');
    await expect(raw.next((m) => m.id === 3)).resolves.toMatchObject({ e: { code: 'LIMIT_EXCEEDED' } });
    await expect(raw.next((m) => m.id === 4)).resolves.toMatchObject({ e: { code: 'LIMIT_EXCEEDED' } });
    raw.send('{"t":"cancel","id":2}');
    await expect(raw.next((m) => m.id === 2 && m.t === 'error')).resolves.toMatchObject({
      e: { code: 'CANCELLED' },
    });
    raw.send('{"t":"stream","id":1,"p":"count","d":{"n":1}}');
    await expect(raw.next((m) => m.id === 1 && m.t === 'error')).resolves.toMatchObject({
      e: { code: 'BAD_REQUEST', message: 'call id 1 is already in flight' },
    });
  });

  it('the client holds streams back while the server’s slots are taken', async () => {
    await using server = await startStreamServer({ limits: { maxCallsInFlight: 1 } });
    await using client = connectStreams(server);
    await client.ready();
    const first = client.stream.endless({ key: 'first' });
    await first.next();
    const second = client.stream.count({ n: 2 });
    const call = client.call.ping();
    first.cancel();
    const got: number[] = [];
    for await (const n of second) got.push(n);
    expect(got).toEqual([0, 1]);
    await expect(call).resolves.toBe('pong');
  });
});
