/**
 * The observation seam (packages/server/src/observer.ts) against a real server and real
 * sockets: every event a test provokes is reported once, with the numbers the wire shows.
 */
import { CLOSE_CODES, channelKey } from '@sockkit/core';
import type { CallEnd, CallEvent, ServerObserver } from '@sockkit/server';
import { UNKNOWN_PROCEDURE } from '@sockkit/server';
import { describe, expect, it, vi } from 'vitest';
import { connect, rawSocket, startServer } from './fixtures.js';

/** An observer that records everything it is told. */
function recorder() {
  const events: { name: string; data: unknown }[] = [];
  const calls: { call: CallEvent; end?: CallEnd; ran: boolean }[] = [];
  const push = (name: string) => (data: unknown) => void events.push({ name, data });
  const observer: ServerObserver = {
    connectionOpened: (conn) => push('opened')(conn.id),
    connectionClosed: (conn, event) => push('closed')({ id: conn.id, ...event }),
    refused: push('refused'),
    received: (_conn, bytes) => push('received')(bytes),
    sent: (_conn, bytes) => push('sent')(bytes),
    published: push('published'),
    delivered: push('delivered'),
    rateLimited: (_conn, closing) => push('rateLimited')(closing),
    protocolError: (_conn, closing) => push('protocolError')(closing),
    callStarted(call) {
      const entry: { call: CallEvent; end?: CallEnd; ran: boolean } = { call, ran: false };
      calls.push(entry);
      return {
        run(handler) {
          entry.ran = true;
          return handler();
        },
        finished(end) {
          expect(entry.end).toBeUndefined();
          entry.end = end;
        },
      };
    },
  };
  const of = (name: string) => events.filter((e) => e.name === name).map((e) => e.data);
  return { observer, events, calls, of };
}

describe('server observers', () => {
  it('reports connections opened and closed with their code, and refused handshakes', async () => {
    const rec = recorder();
    await using server = await startServer({ observers: [rec.observer] });
    const client = connect(server, { params: () => ({ token: 'alice' }) });
    await client.call.whoami();
    const id = client.connectionId;
    await client.close();
    await vi.waitFor(() => expect(rec.of('closed')).toHaveLength(1));
    expect(rec.of('opened')).toEqual([id]);
    expect(rec.of('closed')).toEqual([{ id, code: 1000, reason: 'client closed' }]);

    await using refused = await rawSocket(server, { hello: false });
    refused.send('{"t":"hello","params":{"token":"bad"}}');
    await refused.closed;
    expect(rec.of('refused')).toEqual([
      { code: CLOSE_CODES.UNAUTHORIZED.code, reason: 'bad token', remoteAddress: '127.0.0.1' },
    ]);
    expect(rec.of('opened')).toHaveLength(1);
  });

  it('follows each call from arrival to its one answer, with code, sizes as on the wire, and around its handler', async () => {
    const rec = recorder();
    await using server = await startServer({ observers: [rec.observer] });
    await using raw = await rawSocket(server);
    const frames: string[] = [];
    raw.ws.on('message', (data) => frames.push(data.toString()));
    const sent = [
      '{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"héllo"}}',
      '{"t":"call","id":2,"p":"fail","d":"sockkit"}',
      '{"t":"call","id":3,"p":"nope"}',
      '{"t":"call","id":4,"p":"echo","d":{"id":"x"}}',
    ];
    for (const [i, text] of sent.entries()) {
      raw.send(text);
      await raw.next((m) => m.id === i + 1);
    }
    expect(rec.calls.map((c) => [c.call.id, c.call.procedure, c.end?.code, c.ran])).toEqual([
      [1, 'echo', 'OK', true],
      [2, 'fail', 'CONFLICT', true],
      [3, UNKNOWN_PROCEDURE, 'NOT_FOUND', false],
      [4, 'echo', 'BAD_REQUEST', false],
    ]);
    expect(rec.calls.map((c) => c.call.bytes)).toEqual(sent.map((t) => Buffer.byteLength(t)));
    // Each answer left alone in its frame: its size is the frame's.
    expect(rec.calls.map((c) => c.end?.bytes)).toEqual(frames.map((f) => Buffer.byteLength(f)));
    for (const c of rec.calls) expect(c.end?.durationMs).toBeGreaterThanOrEqual(0);
    expect(rec.calls[0]?.call.conn.id).toBe(server.inspect().connections[0]?.id);
  });

  it('reports a call in a batch with the size of its payload, and a call cut by a close as UNAVAILABLE', async () => {
    const rec = recorder();
    await using server = await startServer({ observers: [rec.observer] });
    await using raw = await rawSocket(server);
    raw.send(
      '[{"t":"call","id":1,"p":"store","d":{"blob":"abc"}},{"t":"call","id":2,"p":"stubborn","d":{"key":"obs"}}]',
    );
    await raw.next((m) => m.id === 1);
    expect(rec.calls[0]?.call.bytes).toBe(Buffer.byteLength('{"blob":"abc"}'));
    expect(rec.calls[1]?.end).toBeUndefined();
    raw.ws.close();
    await vi.waitFor(() => expect(rec.calls[1]?.end?.code).toBe('UNAVAILABLE'));
    expect(rec.calls[1]?.end?.bytes).toBe(0);
  });

  it('counts bytes in and out as the frames carried them', async () => {
    const rec = recorder();
    await using server = await startServer({ observers: [rec.observer] });
    await using raw = await rawSocket(server);
    const before = { in: rec.of('received').length, out: rec.of('sent').length };
    const frames: string[] = [];
    raw.ws.on('message', (data) => frames.push(data.toString()));
    const text = '[{"t":"ping","id":1},{"t":"ping","id":2}]';
    raw.send(text);
    await raw.next((m) => m.t === 'pong' && m.id === 2);
    expect(rec.of('received').slice(before.in)).toEqual([Buffer.byteLength(text)]);
    expect(rec.of('sent').slice(before.out)).toEqual(frames.map((f) => Buffer.byteLength(f)));
  });

  it('reports publishes and deliveries by topic and channel, and snapshots subscriptions', async () => {
    const rec = recorder();
    await using server = await startServer({ observers: [rec.observer] });
    await using a = connect(server);
    await using b = connect(server);
    const got: unknown[] = [];
    await a.subscribe.chat({ room: 'r1' }, (m) => got.push(m)).ready;
    await b.subscribe.chat({ room: 'r1' }, () => {}).ready;
    await a.publish.chat({ room: 'r1' }, { text: 'hi' });
    await server.publish.news(undefined, { n: 1 });
    await vi.waitFor(() => expect(got).toHaveLength(1));
    const key = channelKey('chat', { room: 'r1' });
    expect(rec.of('published')).toEqual([
      {
        topic: 'chat',
        channel: key,
        bytes: Buffer.byteLength('{"text":"hi"}'),
        volatile: false,
        origin: 'client',
      },
      {
        topic: 'news',
        channel: 'news',
        bytes: Buffer.byteLength('{"n":1}'),
        volatile: false,
        origin: 'server',
      },
    ]);
    // news has no subscriber on this node: nothing delivered for it.
    expect(rec.of('delivered')).toEqual([
      expect.objectContaining({ topic: 'chat', channel: key, kind: 'message', recipients: 2 }),
    ]);
    const snapshot = server.inspect();
    expect(snapshot.channels).toEqual([{ key, topic: 'chat', subscribers: 2, presence: 0 }]);
    expect(snapshot.connections.map((c) => c.subscriptions)).toEqual([[key], [key]]);
    expect(snapshot.node).toBe(server.node);
  });

  it('stops reporting once unsubscribed, and a throwing observer breaks neither the call nor the others', async () => {
    const rec = recorder();
    const errors: unknown[] = [];
    await using server = await startServer({
      logger: { warn: () => {}, error: (meta, message) => void errors.push({ message, meta }) },
    });
    const stopBad = server.observe({
      callStarted() {
        throw new Error('observer bug');
      },
    });
    const stop = server.observe(rec.observer);
    await using client = connect(server);
    await expect(client.call.echo({ id: 1, text: 'x' })).resolves.toMatchObject({ echoed: true });
    expect(rec.calls).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ message: 'observer failed in callStarted' })]);
    stop();
    stopBad();
    await client.call.echo({ id: 2, text: 'y' });
    expect(rec.calls).toHaveLength(1);
  });

  it('several watches of one call: each wrapping one runs around the handler once, each is told the end', async () => {
    const log: string[] = [];
    const wrapping = (name: string): ServerObserver => ({
      callStarted: () => ({
        run(handler) {
          log.push(`${name} in`);
          const value = handler();
          log.push(`${name} out`);
          return value;
        },
        finished: ({ code }) => void log.push(`${name} ${code}`),
      }),
    });
    const counting: ServerObserver = {
      callStarted: () => ({ finished: ({ code }) => void log.push(`count ${code}`) }),
    };
    const cases: [ServerObserver[], string[]][] = [
      [
        [counting, counting],
        ['count OK', 'count OK'],
      ],
      [
        [counting, wrapping('a')],
        ['a in', 'a out', 'count OK', 'a OK'],
      ],
      // The first registered wraps innermost.
      [
        [wrapping('a'), counting, wrapping('b')],
        ['b in', 'a in', 'a out', 'b out', 'a OK', 'count OK', 'b OK'],
      ],
    ];
    for (const [observers, expected] of cases) {
      log.length = 0;
      await using server = await startServer({ observers });
      await using client = connect(server);
      await expect(client.call.echo({ id: 1, text: 'x' })).resolves.toMatchObject({ echoed: true });
      expect(log).toEqual(expected);
    }
  });

  it('a watch that throws when its call ends is logged, and the call is answered all the same', async () => {
    const errors: unknown[] = [];
    await using server = await startServer({
      logger: { warn: () => {}, error: (meta, message) => void errors.push({ message, meta }) },
      observers: [
        {
          callStarted: () => ({
            finished() {
              throw new Error('observer bug');
            },
          }),
        },
      ],
    });
    await using client = connect(server);
    await expect(client.call.echo({ id: 1, text: 'x' })).resolves.toMatchObject({ echoed: true });
    await expect(client.call.fail('sockkit')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(errors).toEqual([
      expect.objectContaining({ message: 'observer failed in finished' }),
      expect.objectContaining({ message: 'observer failed in finished' }),
    ]);
  });

  it('calls attached with a view of the server, and detached when the server closes', async () => {
    const seen: string[] = [];
    const server = await startServer({
      node: 'node-a',
      observers: [
        {
          attached: (view) => void seen.push(`attached ${view.node} ${view.inspect().connections.length}`),
          detached: (view) => void seen.push(`detached ${view.node}`),
        },
      ],
    });
    expect(seen).toEqual(['attached node-a 0']);
    await server.close();
    expect(seen).toEqual(['attached node-a 0', 'detached node-a']);
  });
});
