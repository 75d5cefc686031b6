/**
 * `server.connection(id).disconnect(reason)` and `server.user(key).disconnect(reason)`: the
 * connection is closed with 4006 and the reason, on whichever node holds it (through the
 * relay, on a real Redis), the promise says how many connections were closed, and a client
 * treats 4006 as final: one `error` event with the reason, state `closed`, no reconnect.
 */
import { CLOSE_CODES } from '@sockkit/core';
import { RedisBroker, RedisRelay } from '@sockkit/redis';
import { silentLogger } from '@sockkit/server';
import { findRedis, ManualClock } from '@sockkit/testing';
import { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';
import { describe, expect, it } from 'vitest';
import { connect, countingServer, rawSocket, startServer } from './fixtures.js';

const redisUrl = await findRedis();
const DISCONNECTED = CLOSE_CODES.DISCONNECTED.code;

/** A raw socket that completed the handshake as `user` (the fixture's authenticate takes the token as user key). */
async function userSocket(server: { port: number | undefined }, user: string) {
  const raw = await rawSocket(server, { hello: false });
  raw.send(JSON.stringify({ t: 'hello', params: { token: user } }));
  const welcome = await raw.next((m) => m.t === 'welcome');
  return Object.assign(raw, { conn: welcome.conn as string });
}

/** Whether the socket still answers: a ping gets its pong. */
async function answers(raw: Awaited<ReturnType<typeof userSocket>>, id: number): Promise<boolean> {
  raw.send(`{"t":"ping","id":${id}}`);
  return (await raw.next((m) => m.t === 'pong' && m.id === id)) !== undefined;
}

describe('disconnect on one node', () => {
  it('connection(id).disconnect(reason) closes it with 4006 and the reason, and resolves with 1, then 0', async () => {
    const disconnects: { code: number; reason: string }[] = [];
    await using server = await startServer({ onDisconnect: (_conn, info) => disconnects.push(info) });
    await using raw = await userSocket(server, 'alice');
    await expect(server.connection(raw.conn).disconnect('kicked by an admin')).resolves.toBe(1);
    expect(await raw.closed).toEqual({ code: DISCONNECTED, reason: 'kicked by an admin' });
    await expect.poll(() => disconnects).toEqual([{ code: DISCONNECTED, reason: 'kicked by an admin' }]);
    await expect(server.connection(raw.conn).disconnect('again')).resolves.toBe(0);
    await expect(server.connection('no-such-connection').disconnect('x')).resolves.toBe(0);
  });

  it('uses a default reason and cuts a long one to fit a close frame', async () => {
    await using server = await startServer();
    await using a = await userSocket(server, 'a');
    await using b = await userSocket(server, 'b');
    await server.connection(a.conn).disconnect();
    expect(await a.closed).toEqual({ code: DISCONNECTED, reason: 'disconnected by the server' });
    await server.connection(b.conn).disconnect('é'.repeat(100));
    const closed = await b.closed;
    expect(closed.code).toBe(DISCONNECTED);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
  });

  it("user(key).disconnect(reason) closes every connection of that user and no one else's", async () => {
    await using server = await startServer();
    await using alice1 = await userSocket(server, 'alice');
    await using alice2 = await userSocket(server, 'alice');
    await using bob = await userSocket(server, 'bob');
    await expect(server.user('alice').disconnect('signed out')).resolves.toBe(2);
    expect(await alice1.closed).toEqual({ code: DISCONNECTED, reason: 'signed out' });
    expect(await alice2.closed).toEqual({ code: DISCONNECTED, reason: 'signed out' });
    expect(await answers(bob, 1)).toBe(true);
    expect(server.connectionsOf('bob')).toHaveLength(1);
    await expect(server.user('alice').disconnect('again')).resolves.toBe(0);
    await expect(server.user('nobody').disconnect('x')).resolves.toBe(0);
  });

  it('a disconnected client reports the reason once, ends closed and never reconnects', async () => {
    const clock = new ManualClock();
    await using counted = await countingServer();
    await using client = connect(counted, { clock, params: () => ({ token: 'alice' }) });
    await client.ready();
    const errors: unknown[] = [];
    client.on('error', (e) =>
      errors.push({ code: e.code, message: e.message, closeCode: e.details?.closeCode }),
    );
    const pending = client.call.slow({ ms: 60_000 }).catch((error: unknown) => error);
    await expect(
      counted.server.connection(client.connectionId!).disconnect('account suspended'),
    ).resolves.toBe(1);
    await expect.poll(() => client.state).toBe('closed');
    expect(errors).toEqual([{ code: 'FORBIDDEN', message: 'account suspended', closeCode: DISCONNECTED }]);
    expect(await pending).toMatchObject({ code: 'FORBIDDEN', message: 'account suspended' });
    expect(clock.pending()).toEqual([]);
    clock.advance(600_000);
    expect(counted.upgrades()).toBe(1);
  });
});

describe.skipIf(!redisUrl)('disconnect across nodes (real Redis)', () => {
  it("reaches a user's connections on both nodes, and one connection on the other node, and no one else's", async () => {
    const prefix = uniquePrefix('disconnect');
    const brokers = ['a', 'b'].map(
      (node) => new RedisBroker({ url: redisUrl!, prefix, node, logger: silentLogger }),
    );
    try {
      await Promise.all(brokers.map((broker) => broker.ready()));
      const [brokerA, brokerB] = brokers as [RedisBroker, RedisBroker];
      await using a = await startServer({ broker: brokerA, relay: new RedisRelay({ link: brokerA.link }) });
      await using b = await startServer({ broker: brokerB, relay: new RedisRelay({ link: brokerB.link }) });
      await using aliceA = await userSocket(a, 'alice');
      await using aliceB = await userSocket(b, 'alice');
      await using bobA = await userSocket(a, 'bob');
      await using bobB = await userSocket(b, 'bob');

      await expect(a.user('alice').disconnect('signed out everywhere')).resolves.toBe(2);
      for (const raw of [aliceA, aliceB])
        expect(await raw.closed).toEqual({ code: DISCONNECTED, reason: 'signed out everywhere' });
      expect(await answers(bobA, 1)).toBe(true);
      expect(await answers(bobB, 2)).toBe(true);

      // From node a, a connection that lives on node b.
      await expect(a.connection(bobB.conn).disconnect('moved')).resolves.toBe(1);
      expect(await bobB.closed).toEqual({ code: DISCONNECTED, reason: 'moved' });
      expect(await answers(bobA, 3)).toBe(true);
      await expect(a.connection(bobB.conn).disconnect('again')).resolves.toBe(0);
      await expect(b.user('alice').disconnect('again')).resolves.toBe(0);
      expect(a.connectionsOf('bob').map((conn) => conn.id)).toEqual([bobA.conn]);
    } finally {
      await Promise.all(brokers.map((broker) => broker.close()));
      await deleteKeys(redisUrl!, prefix);
    }
  });
});
