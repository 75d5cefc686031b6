/**
 * Everything before and around the session: protocol negotiation, origin checks,
 * authentication, expiry and in-band refresh, handshake timeout and connection limits.
 */
import { connect as tcpConnect } from 'node:net';
import { CLOSE_CODES } from '@sockkit/core';
import { ManualClock } from '@sockkit/testing';
import { describe, expect, it } from 'vitest';
import { connect, countingServer, rawSocket, startServer } from './fixtures.js';

describe('protocol version', () => {
  it('refuses an unknown version with 4003 and a reason naming both versions', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server, { protocol: 'sockkit.v3', hello: false });
    const closed = await raw.closed;
    expect(closed.code).toBe(CLOSE_CODES.UNSUPPORTED_PROTOCOL.code);
    expect(closed.reason).toBe(
      'unsupported protocol (offered sockkit.v3; server speaks sockkit.v2, sockkit.v1)',
    );
  });

  it('refuses a socket that offers no sockkit protocol with 4003', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server, { protocol: [], hello: false });
    expect((await raw.closed).code).toBe(CLOSE_CODES.UNSUPPORTED_PROTOCOL.code);
  });

  it.each([['evil.v9'], ['sockkit.v0'], ['graphql-ws']])(
    'echoes an offer not shaped like a version it speaks (%s), so a browser sees the 4003',
    async (offer) => {
      await using server = await startServer();
      await using raw = await rawSocket(server, { protocol: offer, hello: false });
      expect(raw.ws.protocol).toBe(offer);
      const closed = await raw.closed;
      expect(closed.code).toBe(CLOSE_CODES.UNSUPPORTED_PROTOCOL.code);
      expect(closed.reason).toBe(
        `unsupported protocol (offered ${offer}; server speaks sockkit.v2, sockkit.v1)`,
      );
    },
  );

  it('keeps a 4003 reason within a close frame whatever the offer holds', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server, { protocol: ['sockkit.v3', 'x'.repeat(200)], hello: false });
    const closed = await raw.closed;
    expect(closed.code).toBe(CLOSE_CODES.UNSUPPORTED_PROTOCOL.code);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
  });

  it("cuts a half-finished upgrade request after the handshake timeout, not Node's 60 s", async () => {
    const clock = new ManualClock();
    await using server = await startServer({ clock, limits: { handshakeTimeoutMs: 2000 } });
    const socket = tcpConnect(server.port!, '127.0.0.1');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'); // headers never end
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(1999);
    expect(socket.destroyed || socket.readyState === 'closed').toBe(false);
    clock.advance(1);
    await closed;
    // A socket that completed its upgrade is not cut by that timer.
    await using raw = await rawSocket(server);
    clock.advance(5000);
    raw.send('{"t":"ping","id":1}');
    expect(await raw.next((m) => m.t === 'pong')).toMatchObject({ id: 1 });
  });

  it('answers plain HTTP with 426 Upgrade Required', async () => {
    await using server = await startServer();
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(response.status).toBe(426);
  });
});

describe('origin', () => {
  // Refused origins: refusals.test.ts.
  it('accepts a same-origin browser and a client without Origin by default', async () => {
    await using server = await startServer();
    await using same = await rawSocket(server, { headers: { origin: `http://127.0.0.1:${server.port}` } });
    await using none = await rawSocket(server);
    expect(same.ws.readyState).toBe(same.ws.OPEN);
    expect(none.ws.readyState).toBe(none.ws.OPEN);
  });
});

describe('authentication', () => {
  it('closes a refused handshake with 4001 and the reason; the client stops and reports UNAUTHORIZED', async () => {
    await using server = await startServer();
    await using client = connect(server, { params: () => ({ token: 'bad' }) });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    await expect(client.ready()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(client.state).toBe('closed');
    expect(errors).toEqual(['UNAUTHORIZED: bad token']);
    await expect(client.call.echo({ id: 1, text: 'x' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('sends params in the first message, never in the URL', async () => {
    const seen: { url: string | undefined; params: unknown }[] = [];
    await using server = await startServer({
      authenticate: ({ request, params }) => {
        seen.push({ url: request.url, params });
        return { context: { user: null } };
      },
    });
    await using client = connect(server, { params: () => ({ token: 's3cret' }) });
    await client.ready();
    expect(seen).toEqual([{ url: '/', params: { token: 's3cret' } }]);
  });

  it("keeps the client's headers for authenticate and conn.request, not the handshake's own", async () => {
    const seen: Record<string, unknown>[] = [];
    await using server = await startServer({
      authenticate: ({ request }) => {
        seen.push({ ...request.headers });
        return { context: { user: 'u' }, user: 'u' };
      },
    });
    await using raw = await rawSocket(server, {
      protocol: 'sockkit.v2',
      headers: { cookie: 'sid=abc', 'x-tenant': 'acme', origin: `http://127.0.0.1:${server.port}` },
    });
    expect(raw.all[0]).toMatchObject({ t: 'welcome' });
    const conn = [...server.connections.values()][0]!;
    for (const headers of [seen[0]!, conn.request.headers]) {
      expect(headers).toMatchObject({
        cookie: 'sid=abc',
        'x-tenant': 'acme',
        host: `127.0.0.1:${server.port}`,
      });
      for (const name of [
        'connection',
        'upgrade',
        'sec-websocket-key',
        'sec-websocket-version',
        'sec-websocket-protocol',
      ])
        expect(headers).not.toHaveProperty(name);
    }
    expect(conn.request).toMatchObject({ url: '/', remoteAddress: '127.0.0.1' });
  });

  it("the Node client offers no permessage-deflate, which sockkit's server never accepts", async () => {
    await using counting = await countingServer();
    await using client = connect({ port: counting.port });
    await client.ready();
    expect(counting.upgradeHeaders()).toHaveLength(1);
    expect(counting.upgradeHeaders()[0]?.['sec-websocket-protocol']).toBe('sockkit.v2,sockkit.v1');
    expect(counting.upgradeHeaders()[0]).not.toHaveProperty('sec-websocket-extensions');
  });

  it('closes an expired session with 4002', async () => {
    await using server = await startServer({
      authenticate: () => ({ context: { user: 'u' }, user: 'u', expiresAt: Date.now() + 150 }),
    });
    await using raw = await rawSocket(server);
    expect((await raw.closed).code).toBe(CLOSE_CODES.SESSION_EXPIRED.code);
  });

  it('refreshes in-band before expiry: the session lives on with the new token', async () => {
    let token = 't1';
    const tokens: unknown[] = [];
    await using server = await startServer({
      authenticate: ({ params, refresh }) => {
        tokens.push({ refresh, params });
        return { context: { user: 'u' }, user: 'u', expiresAt: Date.now() + 3000 };
      },
    });
    // Refresh 100 ms into each 3 s session: far from expiry even on a loaded machine.
    await using client = connect(server, { params: () => ({ token }), refreshBeforeExpiryMs: 2900 });
    await client.ready();
    const session = client.session;
    token = 't2';
    await expect.poll(() => tokens.length, { timeout: 3000 }).toBeGreaterThanOrEqual(3);
    expect(tokens.slice(0, 2)).toEqual([
      { refresh: false, params: { token: 't1' } },
      { refresh: true, params: { token: 't2' } },
    ]);
    expect(client.state).toBe('open');
    expect(client.session).toBe(session);
  });

  it('updateAuth() refreshes on demand; a refresh that changes the user is refused', async () => {
    let user = 'u';
    await using server = await startServer({ authenticate: () => ({ context: { user }, user }) });
    await using client = connect(server);
    await client.ready();
    await client.updateAuth();
    user = 'someone-else';
    await expect(client.updateAuth()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(client.state).toBe('open');
  });

  it('closes a socket that never says hello with 4004', async () => {
    await using server = await startServer({ limits: { handshakeTimeoutMs: 100 } });
    await using raw = await rawSocket(server, { hello: false });
    expect((await raw.closed).code).toBe(CLOSE_CODES.HANDSHAKE_TIMEOUT.code);
  });

  it('closes connections above maxConnections with 1013', async () => {
    await using server = await startServer({ limits: { maxConnections: 1 } });
    await using first = await rawSocket(server);
    await using second = await rawSocket(server, { hello: false });
    expect((await second.closed).code).toBe(CLOSE_CODES.TRY_AGAIN_LATER.code);
    expect(first.ws.readyState).toBe(first.ws.OPEN);
  });
});
