/**
 * Refusals explain themselves. A connection the server will never accept (an origin it does
 * not allow, a protocol version it does not speak, credentials `authenticate` refused) is
 * closed with a close code of its own and a reason, which a client reports once as an `error`
 * event before it stops in state `closed` without trying again; and the server logs each
 * refusal at info, within a budget, since a refused client may retry in a loop.
 */
import { CLOSE_CODES } from '@sockkit/core';
import { consoleLogger, type Logger } from '@sockkit/server';
import { ManualClock } from '@sockkit/testing';
import { describe, expect, it, vi } from 'vitest';
import { connect, countingServer, rawSocket, socketWith, startServer } from './fixtures.js';

const ORIGIN_REASON = "origin not allowed by the server's allowedOrigins: ";

describe('a refused origin', () => {
  it('completes the upgrade and closes at once with 4005 naming the origin, before anything is read', async () => {
    let authenticated = 0;
    let opened = 0;
    await using server = await startServer({
      authenticate: () => {
        authenticated++;
        return { context: { user: null } };
      },
      onConnection: () => opened++,
    });
    await using raw = await rawSocket(server, { headers: { origin: 'https://evil.example' }, hello: false });
    raw.send('{"t":"hello"}');
    raw.send('{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"x"}}');
    expect(await raw.closed).toEqual({
      code: CLOSE_CODES.ORIGIN_NOT_ALLOWED.code,
      reason: `${ORIGIN_REASON}https://evil.example`,
    });
    // Not one frame went out, no handshake ran: a hijacking page learns nothing but the refusal.
    expect(raw.all).toEqual([]);
    expect(authenticated).toBe(0);
    expect(opened).toBe(0);
    expect(server.connections.size).toBe(0);
  });

  it('applies an allow list the same way', async () => {
    await using server = await startServer({ allowedOrigins: ['https://app.example'] });
    await using ok = await rawSocket(server, { headers: { origin: 'https://app.example' } });
    expect(ok.ws.readyState).toBe(ok.ws.OPEN);
    await using refused = await rawSocket(server, { headers: { origin: 'https://other.example' } });
    expect((await refused.closed).code).toBe(CLOSE_CODES.ORIGIN_NOT_ALLOWED.code);
  });

  it('keeps the reason within a close frame whatever the origin holds', async () => {
    await using server = await startServer();
    const origin = `https://${'a'.repeat(200)}.example`;
    await using raw = await rawSocket(server, { headers: { origin }, hello: false });
    const closed = await raw.closed;
    expect(closed.code).toBe(CLOSE_CODES.ORIGIN_NOT_ALLOWED.code);
    expect(closed.reason.startsWith(ORIGIN_REASON)).toBe(true);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
  });
});

describe('a client refused for good', () => {
  const origin = 'http://127.0.0.1:4173';
  it.each([
    {
      what: 'origin',
      options: { WebSocket: socketWith({ origin }) },
      error: { code: 'FORBIDDEN', message: `${ORIGIN_REASON}${origin}`, closeCode: 4005 },
    },
    {
      what: 'protocol version',
      options: { WebSocket: socketWith({}, ['sockkit.v3']) },
      error: {
        code: 'BAD_REQUEST',
        message: 'unsupported protocol (offered sockkit.v3; server speaks sockkit.v2, sockkit.v1)',
        closeCode: 4003,
      },
    },
    {
      what: 'credentials',
      options: { params: () => ({ token: 'bad' }) },
      error: { code: 'UNAUTHORIZED', message: 'bad token', closeCode: 4001 },
    },
  ])(
    '($what) reports the reason once as an error event, ends closed and never tries again',
    async ({ options, error }) => {
      const clock = new ManualClock();
      await using counted = await countingServer();
      await using client = connect(counted, { clock, ...options });
      const errors: unknown[] = [];
      client.on('error', (e) =>
        errors.push({ code: e.code, message: e.message, closeCode: e.details?.closeCode }),
      );
      const states: string[] = [];
      client.on('state', (state) => states.push(state));
      await expect.poll(() => client.state).toBe('closed');
      expect(errors).toEqual([error]);
      expect(states).toEqual(['closed']);
      await expect(client.ready()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      // Nothing is scheduled: however much time passes, no second upgrade request.
      expect(clock.pending()).toEqual([]);
      clock.advance(600_000);
      expect(counted.upgrades()).toBe(1);
    },
  );
});

describe('what the server logs about refusals', () => {
  type Line = { level: string; message: string; meta: Record<string, unknown> | undefined };
  function recorder(): { lines: Line[]; logger: Logger } {
    const lines: Line[] = [];
    const line = (level: string) => (meta: Record<string, unknown>, message: string) =>
      lines.push({ level, message, meta });
    return {
      lines,
      logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    };
  }

  async function refuseOrigin(server: { port: number | undefined }, origin = 'https://evil.example') {
    await using raw = await rawSocket(server, { headers: { origin }, hello: false });
    return raw.closed;
  }

  it('logs each refusal at info with the remote address, close code and reason', async () => {
    const { lines, logger } = recorder();
    await using server = await startServer({ logger });
    await refuseOrigin(server);
    await using version = await rawSocket(server, { protocol: 'sockkit.v3', hello: false });
    await version.closed;
    await using token = await rawSocket(server, { hello: false });
    token.send('{"t":"hello","params":{"token":"bad"}}');
    await token.closed;
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'connection refused',
        meta: {
          remoteAddress: '127.0.0.1',
          code: 4005,
          reason: `${ORIGIN_REASON}https://evil.example`,
        },
      },
      {
        level: 'info',
        message: 'connection refused',
        meta: {
          remoteAddress: '127.0.0.1',
          code: 4003,
          reason: 'unsupported protocol (offered sockkit.v3; server speaks sockkit.v2, sockkit.v1)',
        },
      },
      {
        level: 'info',
        message: 'connection refused',
        meta: { remoteAddress: '127.0.0.1', code: 4001, reason: 'bad token' },
      },
    ]);
  });

  it('logs an authenticate that threw at error, with its cause; the client is told only "unauthorized"', async () => {
    const { lines, logger } = recorder();
    const cause = new Error('database unreachable');
    await using server = await startServer({
      logger,
      authenticate: () => {
        throw cause;
      },
    });
    await using raw = await rawSocket(server, { hello: false });
    raw.send('{"t":"hello"}');
    expect(await raw.closed).toEqual({ code: 4001, reason: 'unauthorized' });
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'connection refused: authenticate threw',
        meta: { remoteAddress: '127.0.0.1', code: 4001, reason: 'unauthorized', err: cause },
      },
    ]);
  });

  it('logs at most 10 refusals, then one a minute per server, carrying how many it left out', async () => {
    const clock = new ManualClock();
    const { lines, logger } = recorder();
    await using server = await startServer({ logger, clock, heartbeatMs: 0 });
    for (let i = 0; i < 13; i++) await refuseOrigin(server);
    expect(lines).toHaveLength(10);
    clock.advance(59_000);
    await refuseOrigin(server);
    expect(lines).toHaveLength(10);
    clock.advance(1_000);
    await refuseOrigin(server, 'https://other.example');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toEqual({
      level: 'info',
      message: 'connection refused',
      meta: {
        remoteAddress: '127.0.0.1',
        code: 4005,
        reason: `${ORIGIN_REASON}https://other.example`,
        suppressed: 4,
      },
    });
    await refuseOrigin(server);
    expect(lines).toHaveLength(11);
  });

  it('the default console logger prints refusals (console.info)', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    try {
      await using server = await startServer({ logger: consoleLogger });
      await refuseOrigin(server);
      expect(info).toHaveBeenCalledWith('[sockkit] connection refused', {
        remoteAddress: '127.0.0.1',
        code: 4005,
        reason: `${ORIGIN_REASON}https://evil.example`,
      });
    } finally {
      info.mockRestore();
    }
  });
});
