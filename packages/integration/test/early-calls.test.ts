/**
 * Requests sent right behind `hello` (protocol v2), asserted on the wire: the client's first
 * calls leave before `welcome` arrives (the server's `authenticate` is held until the test has
 * seen them go), run after authentication, in order; a refused `hello` fails them with the
 * refusal; both sides keep to EARLY_BOUNDS; a v1-only server, and a reconnect, get none.
 */
import type { SocketConstructor } from '@sockkit/client';
import { isSockkitError, SockkitError } from '@sockkit/core';
import { EARLY_BOUNDS } from '@sockkit/core/protocol';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { connect, handlers, rawSocket, startServer } from './fixtures.js';

/** A ws WebSocket that logs every frame it sends (`out …`) and receives (`in …`), in order. */
function recordingSocket(log: string[]): SocketConstructor {
  return class extends WebSocket {
    constructor(url: string, offered: string[]) {
      super(url, offered);
      log.push(`socket ${offered.join(',')}`);
      // Registered before the client's own listener: a frame is logged before it is handled.
      this.on('message', (data) => log.push(`in ${data.toString()}`));
    }
    override send(data: unknown, ...rest: unknown[]): void {
      log.push(`out ${String(data)}`);
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  } as unknown as SocketConstructor;
}

/** An `authenticate` that waits for `release()`; `token: 'bad'` is refused. */
function heldAuth() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const authenticate = async ({ params }: { params: unknown }) => {
    await released;
    const token = (params as { token?: string } | undefined)?.token;
    if (token === 'bad') throw new SockkitError('UNAUTHORIZED', 'bad token');
    return { context: { user: token ?? null } };
  };
  return { authenticate, release };
}

/** The ids of the calls in a logged outbound frame (one message or a batch). */
function callIds(entry: string): number[] {
  const parsed = JSON.parse(entry.slice('out '.length));
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((m) => m.t === 'call').map((m) => m.id);
}

/** The fixtures' `echo`, noting the ids it ran in `ran`. */
function recordingEcho(ran: number[]): (typeof handlers)['echo'] {
  return (input, ctx) => {
    ran.push(input.id);
    return handlers.echo(input, ctx);
  };
}

/** A server whose `authenticate` waits for `release()`, noting in `ran` the ids `echo` ran. */
async function heldServer() {
  const { authenticate, release } = heldAuth();
  const ran: number[] = [];
  const server = await startServer({ authenticate, handlers: { ...handlers, echo: recordingEcho(ran) } });
  return Object.assign(server, { release, ran });
}

const isWelcome = (entry: string) => entry.startsWith('in ') && entry.includes('"t":"welcome"');
const isCallOut = (entry: string) => entry.startsWith('out ') && entry.includes('"t":"call"');

describe('calls behind hello', () => {
  it('leave before welcome, run after authentication, in order, and are answered', async () => {
    await using server = await heldServer();
    const { release, ran } = server;
    const log: string[] = [];
    await using client = connect(server, { WebSocket: recordingSocket(log) });
    const calls = [1, 2, 3].map((id) => client.call.echo({ id, text: `t${id}` }));
    // authenticate is held: nothing the server answers can have arrived yet.
    await vi.waitFor(() => expect(log.some(isCallOut)).toBe(true));
    expect(log[0]).toBe('socket sockkit.v2,sockkit.v1');
    // One frame, one write: hello and the calls behind it.
    expect(log.slice(1).map((entry) => JSON.parse(entry.slice('out '.length))[0])).toEqual([{ t: 'hello' }]);
    expect(log.slice(1).map(callIds)).toEqual([[1, 2, 3]]);
    expect(log.filter((entry) => entry.startsWith('in '))).toEqual([]);
    expect(ran).toEqual([]);
    release();
    const results = await Promise.all(calls);
    expect(results.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(ran).toEqual([1, 2, 3]);
    // welcome first, then the answers in order, on the wire.
    const inbound = log
      .filter((entry) => entry.startsWith('in '))
      .flatMap((entry) => {
        const parsed = JSON.parse(entry.slice(3));
        return Array.isArray(parsed) ? parsed : [parsed];
      });
    expect(inbound.map((m) => (m.t === 'result' ? m.id : m.t))).toEqual(['welcome', 1, 2, 3]);
  });

  it('a refused hello fails them with the refusal, and none of them runs', async () => {
    await using server = await heldServer();
    const { release, ran } = server;
    const log: string[] = [];
    await using client = connect(server, {
      WebSocket: recordingSocket(log),
      params: () => ({ token: 'bad' }),
    });
    client.on('error', () => {});
    const calls = [1, 2].map((id) => client.call.echo({ id, text: 'x' }).catch((error: unknown) => error));
    await vi.waitFor(() => expect(log.some(isCallOut)).toBe(true));
    release();
    const errors = await Promise.all(calls);
    for (const error of errors) {
      expect(isSockkitError(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'bad token',
        details: { closeCode: 4001 },
      });
    }
    // Failed with the refusal itself: the client is closed by the time they reject.
    expect(client.state).toBe('closed');
    expect(ran).toEqual([]);
    // Nothing answered them by id: the close did.
    expect(log.filter((entry) => entry.startsWith('in '))).toEqual([]);
  });

  it('the client sends at most half of EARLY_BOUNDS behind hello; the rest follow welcome', async () => {
    const { authenticate, release } = heldAuth();
    await using server = await startServer({ authenticate });
    const log: string[] = [];
    await using client = connect(server, { WebSocket: recordingSocket(log) });
    const calls = Array.from({ length: 10 }, (_, i) => client.call.echo({ id: i + 1, text: 'n' }));
    await vi.waitFor(() => expect(log.some(isCallOut)).toBe(true));
    expect(log.filter(isCallOut).flatMap(callIds)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    release();
    expect((await Promise.all(calls)).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const welcomeAt = log.findIndex(isWelcome);
    expect(log.slice(welcomeAt).filter(isCallOut).flatMap(callIds)).toEqual([9, 10]);

    // By bytes: 8 KiB of requests at most, so two calls of 3 KB go early and the third waits.
    // The server charges hello with them (one frame): with a 3 KB token, room for one.
    const bytesLog: string[] = [];
    const held = heldAuth();
    await using server2 = await startServer({ authenticate: held.authenticate });
    await using client2 = connect(server2, { WebSocket: recordingSocket(bytesLog) });
    const text = 'b'.repeat(3000);
    const big = [1, 2, 3].map((id) => client2.call.echo({ id, text }));
    await vi.waitFor(() => expect(bytesLog.some(isCallOut)).toBe(true));
    expect(bytesLog.filter(isCallOut).flatMap(callIds)).toEqual([1, 2]);
    held.release();
    expect((await Promise.all(big)).map((r) => r.id)).toEqual([1, 2, 3]);
    const tokenLog: string[] = [];
    const held3 = heldAuth();
    await using server3 = await startServer({ authenticate: held3.authenticate });
    await using client3 = connect(server3, {
      WebSocket: recordingSocket(tokenLog),
      params: () => ({ token: 't'.repeat(3000) }),
    });
    const tokened = [1, 2, 3].map((id) => client3.call.echo({ id, text }));
    await vi.waitFor(() => expect(tokenLog.some(isCallOut)).toBe(true));
    const first = tokenLog.find((entry) => entry.startsWith('out ')) as string;
    expect(callIds(first)).toEqual([1]);
    expect(Buffer.byteLength(first.slice('out '.length))).toBeLessThanOrEqual(EARLY_BOUNDS.bytes / 2);
    held3.release();
    expect((await Promise.all(tokened)).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('the server keeps EARLY_BOUNDS and answers LIMIT_EXCEEDED by id beyond them', async () => {
    const { authenticate, release } = heldAuth();
    await using server = await startServer({ authenticate });
    await using raw = await rawSocket(server, { protocol: 'sockkit.v2', hello: false });
    const call = (id: number, text = 'x') => JSON.stringify({ t: 'call', id, p: 'echo', d: { id, text } });
    raw.send(`[{"t":"hello"},${Array.from({ length: 17 }, (_, i) => call(i + 1)).join(',')}]`);
    const refused = await raw.next((m) => m.t === 'error');
    expect(refused).toMatchObject({ id: 17, e: { code: 'LIMIT_EXCEEDED' } });
    release();
    await raw.next((m) => m.t === 'welcome');
    const answered = await Promise.all(
      Array.from({ length: 16 }, (_, i) => raw.next((m) => m.t === 'result' && m.id === i + 1)),
    );
    expect(answered).toHaveLength(16);
    const order = raw.all.filter((m) => m.t !== 'error').map((m) => (m.t === 'result' ? m.id : m.t));
    expect(order).toEqual(['welcome', ...Array.from({ length: 16 }, (_, i) => i + 1)]);

    const held = heldAuth();
    await using server2 = await startServer({ authenticate: held.authenticate });
    await using raw2 = await rawSocket(server2, { protocol: 'sockkit.v2', hello: false });
    raw2.send('{"t":"hello"}');
    raw2.send(call(1, 'a'.repeat(10_000)));
    raw2.send(call(2, 'a'.repeat(7_000)));
    expect(await raw2.next((m) => m.t === 'error')).toMatchObject({ id: 2, e: { code: 'LIMIT_EXCEEDED' } });
    held.release();
    expect(await raw2.next((m) => m.t === 'result')).toMatchObject({ id: 1 });
  });

  it('a server that speaks v1 only gets no call before welcome', async () => {
    // maxCallsInFlight below EARLY_BOUNDS.messages: the server cannot keep its promise, so v1.
    const { authenticate, release } = heldAuth();
    await using server = await startServer({ authenticate, limits: { maxCallsInFlight: 4 } });
    const log: string[] = [];
    await using client = connect(server, { WebSocket: recordingSocket(log) });
    const call = client.call.echo({ id: 1, text: 'v1' });
    await vi.waitFor(() => expect(log).toContain('out {"t":"hello"}'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.some(isCallOut)).toBe(false);
    release();
    expect((await call).id).toBe(1);
    expect(log.findIndex(isWelcome)).toBeLessThan(log.findIndex(isCallOut));
  });

  it('after a drop, calls made while reconnecting wait for welcome', async () => {
    await using server = await startServer();
    const log: string[] = [];
    await using client = connect(server, { WebSocket: recordingSocket(log) });
    await client.ready();
    const reconnecting = new Promise<void>((resolve) =>
      client.on('state', (state) => state === 'reconnecting' && resolve()),
    );
    (server.connections.get(client.connectionId!) as unknown as { terminate(): void }).terminate();
    await reconnecting;
    const call = client.call.echo({ id: 7, text: 'later' });
    expect((await call).id).toBe(7);
    const second = log.lastIndexOf('socket sockkit.v2,sockkit.v1');
    const after = log.slice(second);
    expect(after.findIndex(isWelcome)).toBeLessThan(after.findIndex(isCallOut));
  });
});
