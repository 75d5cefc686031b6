/**
 * A real pino logger given to the server as it is: lines about one connection come from a
 * child logger bound to its id and user, each event at its documented level, errors under
 * pino's `err` key (so pino's serializer keeps the stack), and nothing the client sent as a
 * secret. pino writes JSON lines into a stream the test reads.
 */
import { Writable } from 'node:stream';
import { CLOSE_CODES } from '@sockkit/core';
import type { Logger } from '@sockkit/server';
import { pino } from 'pino';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { connect, rawSocket, startServer } from './fixtures.js';

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger at `debug` writing into `lines`. */
function pinoLines() {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text) lines.push(JSON.parse(text));
      done();
    },
  });
  const logger = pino({ level: 'debug', base: { app: 'test' } }, stream);
  return { logger, lines, at: (msg: string) => lines.filter((l) => l.msg === msg) };
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

describe('logging through pino', () => {
  it('a pino logger is a Logger as it is', () => {
    expectTypeOf(pino()).toExtend<Logger>();
    // @ts-expect-error a logger taking (message, meta) is the other convention
    const wrongOrder: Logger = { warn: (message: string, _meta: object) => message, error: () => {} };
    expect(wrongOrder).toBeDefined();
  });

  it('logs refusals at info, handler failures at error with the connection, user and cause', async () => {
    const { logger, at } = pinoLines();
    await using server = await startServer({ logger });
    await using refused = await rawSocket(server, { hello: false });
    refused.send('{"t":"hello","params":{"token":"bad"}}');
    await refused.closed;
    expect(at('connection refused')).toEqual([
      expect.objectContaining({
        level: LEVEL.info,
        app: 'test',
        code: CLOSE_CODES.UNAUTHORIZED.code,
        reason: 'bad token',
        remoteAddress: '127.0.0.1',
      }),
    ]);

    await using client = connect(server, { params: () => ({ token: 'alice' }) });
    await expect(client.call.fail('plain')).rejects.toMatchObject({ code: 'INTERNAL' });
    const [failed] = at("handler 'fail' failed");
    expect(failed).toMatchObject({
      level: LEVEL.error,
      app: 'test',
      conn: client.connectionId,
      user: 'alice',
      procedure: 'fail',
      err: { type: 'Error', message: 'secret database password in message' },
    });
    expect((failed?.err as { stack?: string }).stack).toContain('fixtures.ts');
    // No token in any line.
    expect(JSON.stringify(at('connection refused'))).not.toContain('"token"');
  });

  it('logs a slow consumer and protocol abuse at warn, bound to the connection', async () => {
    const { logger, at } = pinoLines();
    await using server = await startServer({
      logger,
      limits: { softBufferedBytes: 16 * 1024, maxBufferedBytes: 64 * 1024, maxProtocolErrors: 2 },
    });
    await using slow = await rawSocket(server);
    slow.send('{"t":"sub","id":1,"topic":"blobs","params":{"id":"big"}}');
    await slow.next((m) => m.id === 1);
    const slowId = [...server.connections.keys()][0];
    await server.publish.blobs({ id: 'big' }, { data: 'b'.repeat(100 * 1024) });
    expect((await slow.closed).code).toBe(CLOSE_CODES.SLOW_CONSUMER.code);
    expect(at('slow consumer closed')).toEqual([
      expect.objectContaining({ level: LEVEL.warn, conn: slowId, code: CLOSE_CODES.SLOW_CONSUMER.code }),
    ]);

    await using abuser = await rawSocket(server);
    const abuserId = [...server.connections.keys()].find((id) => id !== slowId);
    for (let i = 0; i < 3; i++) abuser.send('{not json');
    expect((await abuser.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR.code);
    await vi.waitFor(() => expect(at('too many malformed frames: closing')).toHaveLength(1));
    expect(at('too many malformed frames: closing')[0]).toMatchObject({
      level: LEVEL.warn,
      conn: abuserId,
      code: CLOSE_CODES.PROTOCOL_ERROR.code,
    });
  });

  it('with debug on, logs connections opened and closed with their code at debug', async () => {
    const { logger, at } = pinoLines();
    await using server = await startServer({ logger, debug: true });
    const client = connect(server, { params: () => ({ token: 'bob' }) });
    await client.ready();
    const id = client.connectionId;
    await client.close();
    await vi.waitFor(() => expect(at('closed')).toHaveLength(1));
    expect(at('open')).toEqual([expect.objectContaining({ level: LEVEL.debug, conn: id, user: 'bob' })]);
    expect(at('closed')).toEqual([
      expect.objectContaining({ level: LEVEL.debug, conn: id, code: 1000, reason: 'client closed' }),
    ]);
  });
});
