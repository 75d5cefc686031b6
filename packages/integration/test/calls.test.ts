import { SockkitError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { aborted, connect, startServer } from './fixtures.js';

describe('calls from client to server', () => {
  it('calls a procedure and gets the typed, validated result', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await expect(client.call.echo({ id: 1, text: 'hi' })).resolves.toEqual({
      id: 1,
      text: 'hi',
      echoed: true,
    });
  });

  it('runs many calls in flight on one connection and answers each to its caller', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.call.echo({ id: i, text: `t${i}` })),
    );
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('passes the auth context and connection to handlers', async () => {
    await using server = await startServer();
    await using client = connect(server, { params: () => ({ token: 'alice' }) });
    const me = await client.call.whoami();
    expect(me.user).toBe('alice');
    expect(me.conn).toBe(client.connectionId);
    expect(server.connectionsOf('alice').map((c) => c.id)).toEqual([client.connectionId]);
  });

  it('rejects invalid input with BAD_REQUEST and zod issues, and the connection stays up', async () => {
    await using server = await startServer();
    await using client = connect(server);
    // @ts-expect-error text must be a string
    const error = await client.call.echo({ id: 1, text: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SockkitError);
    expect((error as SockkitError).code).toBe('BAD_REQUEST');
    expect((error as SockkitError).details?.issues?.[0]?.path).toEqual(['text']);
    await expect(client.call.echo({ id: 2, text: 'ok' })).resolves.toMatchObject({ id: 2 });
  });

  it('passes a SockkitError thrown by a handler through with its code and details', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await expect(client.call.fail('sockkit')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'version mismatch',
      details: { expected: 3 },
    });
  });

  it('turns any other handler error into INTERNAL without internal detail, and logs it', async () => {
    const logged: unknown[] = [];
    await using server = await startServer({
      logger: { warn: () => {}, error: (meta) => logged.push(meta) },
    });
    await using client = connect(server);
    const error = (await client.call.fail('plain').catch((e: unknown) => e)) as SockkitError;
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('password');
    expect(error.stack ?? '').not.toContain('handlers');
    expect(logged).toHaveLength(1);
  });

  it('validates outputs: a handler returning the wrong shape gives INTERNAL', async () => {
    await using server = await startServer({ validateOutput: true });
    await using client = connect(server);
    await expect(client.call.fail('output')).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('times out on the client and cancels the handler on the server', async () => {
    await using server = await startServer();
    await using client = connect(server);
    aborted.length = 0;
    // Connected first: a call still queued for the connection would time out without reaching the server.
    await client.ready();
    await expect(client.call.slow({ ms: 5000 }, { timeout: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect.poll(() => aborted).toEqual(['slow']);
  });

  it('cancels through an AbortSignal: CANCELLED locally, the handler signal aborts remotely', async () => {
    await using server = await startServer();
    await using client = connect(server);
    aborted.length = 0;
    const controller = new AbortController();
    const call = client.call.slow({ ms: 5000 }, { signal: controller.signal });
    await client.ready();
    setTimeout(() => controller.abort(), 30);
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect.poll(() => aborted).toEqual(['slow']);
  });

  it('runs middleware around handlers, which may refuse a call', async () => {
    const seen: string[] = [];
    await using server = await startServer({
      middleware: [
        async (call, next) => {
          seen.push(`before ${call.procedure}`);
          if (call.procedure === 'whoami' && call.ctx.auth.user === null)
            throw new SockkitError('FORBIDDEN', 'log in first');
          const result = await next();
          seen.push(`after ${call.procedure}`);
          return result;
        },
      ],
    });
    await using client = connect(server);
    await expect(client.call.whoami()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await client.call.echo({ id: 1, text: 'x' });
    expect(seen).toEqual(['before whoami', 'before echo', 'after echo']);
  });
});

describe('calls from server to client', () => {
  it('calls a client handler with validated input and returns its validated result', async () => {
    await using server = await startServer();
    const questions: string[] = [];
    await using client = connect(server, {
      handlers: {
        confirm: ({ question }) => {
          questions.push(question);
          return question === 'ok?';
        },
      },
    });
    await expect(client.call.askClient({ question: 'ok?' })).resolves.toBe(true);
    const conn = server.connections.get(client.connectionId!)!;
    await expect(conn.call.confirm({ question: 'no' })).resolves.toBe(false);
    expect(questions).toEqual(['ok?', 'no']);
  });

  it('validates inputs once, on the client: a transforming input schema works', async () => {
    await using server = await startServer();
    await using client = connect(server, { handlers: { measure: (length) => length * 10 } });
    await expect(client.call.measureOnClient('abcd')).resolves.toBe(40);
  });

  it('rejects a client result that breaks the contract', async () => {
    await using server = await startServer();
    await using client = connect(server, { handlers: { confirm: () => 'yes' as unknown as boolean } });
    await client.ready();
    const conn = server.connections.get(client.connectionId!)!;
    await expect(conn.call.confirm({ question: 'x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('times out a server to client call and aborts the client handler', async () => {
    await using server = await startServer();
    let signal: AbortSignal | undefined;
    await using client = connect(server, {
      handlers: {
        hang: (_input, ctx) => {
          signal = ctx.signal;
          return new Promise<string>(() => {});
        },
      },
    });
    await client.ready();
    const conn = server.connections.get(client.connectionId!)!;
    await expect(conn.call.hang(undefined, { timeout: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect.poll(() => signal?.aborted).toBe(true);
  });

  it('answers NOT_FOUND when the client has no handler for a procedure', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await client.ready();
    const conn = server.connections.get(client.connectionId!)!;
    await expect(conn.call.confirm({ question: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('codec', () => {
  it('round-trips Date, Map, Set, BigInt, Uint8Array, RegExp and undefined', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const input = {
      date: new Date('2026-01-02T03:04:05.678Z'),
      map: new Map([['a', 1]]),
      set: new Set([1, 2]),
      big: 2n ** 70n,
      bytes: new Uint8Array([0, 1, 254, 255]),
      re: /a+b/gi,
      missing: undefined,
    };
    const output = await client.call.types(input);
    expect(output).toEqual(input);
    expect(output.date).toBeInstanceOf(Date);
    expect(output.bytes).toBeInstanceOf(Uint8Array);
    expect('missing' in output).toBe(true);
  });
});
