/** RedisRelay against a real Redis: three links play three nodes with fake local connections. */
import { type EncodedPayload, isSockkitError, SockkitError } from '@sockkit/core';
import { silentLogger } from '@sockkit/server';
import { findRedis } from '@sockkit/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisLink, type RedisLinkOptions } from '../src/link.js';
import { RedisRelay, type RelayTarget } from '../src/relay.js';
import { deleteKeys, json, killClients, uniquePrefix, waitFor } from './helpers.js';

const url = await findRedis();
const prefix = uniquePrefix('relay');

type Handler = (procedure: string, input: unknown) => Promise<unknown>;

/** A node's local connections: conn id to user and handler. */
class FakeServer implements RelayTarget {
  readonly conns = new Map<string, { user: string; handler: Handler }>();
  calls = 0;
  call(conn: string, procedure: string, input: EncodedPayload): Promise<EncodedPayload> | undefined {
    const entry = this.conns.get(conn);
    if (!entry) return undefined;
    this.calls++;
    return entry
      .handler(procedure, input.json === undefined ? undefined : JSON.parse(input.json))
      .then((value) => json(value));
  }
  connectionsOf(user: string): string[] {
    return [...this.conns].filter(([, entry]) => entry.user === user).map(([conn]) => conn);
  }
  /** Connections this node closed, with the reason. */
  readonly closed: string[] = [];
  disconnect(conn: string, reason: string): boolean {
    if (!this.conns.delete(conn)) return false;
    this.closed.push(`${conn}: ${reason}`);
    return true;
  }
}

describe.skipIf(!url)('RedisRelay (real Redis)', () => {
  const redisUrl = url!;
  const links: RedisLink[] = [];
  const relays: RedisRelay[] = [];

  async function relayNode(options: Partial<RedisLinkOptions> = {}, timeoutMs?: number) {
    const link = new RedisLink({ url: redisUrl, prefix, logger: silentLogger, ...options });
    links.push(link);
    const server = new FakeServer();
    const relay = new RedisRelay({ link, target: server, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    relays.push(relay);
    await link.ready();
    await relay.start();
    return { link, relay, server };
  }

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.close()));
    await Promise.all(links.splice(0).map((link) => link.close()));
  });

  afterAll(async () => {
    await deleteKeys(redisUrl, prefix);
  });

  it('runs a call on the node holding the connection and returns its answer or error', async () => {
    const a = await relayNode();
    const b = await relayNode();
    const c = await relayNode();
    b.server.conns.set('conn-b', {
      user: 'u1',
      handler: async (procedure, input) => {
        if (procedure === 'deny') throw new SockkitError('FORBIDDEN', 'no way');
        return { procedure, input };
      },
    });
    const result = await a.relay.call('conn-b', 'confirm', json({ question: '?' }));
    expect(JSON.parse(result.json!)).toEqual({ procedure: 'confirm', input: { question: '?' } });
    await expect(a.relay.call('conn-b', 'deny', json(null))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'no way',
    });
    expect(c.server.calls).toBe(0);
    expect(a.relay.pending).toBe(0);
  });

  it('answers NOT_FOUND as soon as every node said "not here", long before the deadline', async () => {
    const a = await relayNode({}, 60_000);
    await relayNode();
    await relayNode();
    await expect(a.relay.call('nowhere', 'confirm', json(1))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(a.relay.pending).toBe(0);
  });

  it('times out when the client never answers, and cancels on abort', async () => {
    const a = await relayNode();
    const b = await relayNode();
    b.server.conns.set('slow', { user: 'u', handler: () => new Promise(() => {}) });
    await expect(a.relay.call('slow', 'confirm', json(1), { timeoutMs: 150 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    const controller = new AbortController();
    const call = a.relay.call('slow', 'confirm', json(1), { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(a.relay.pending).toBe(0);
  });

  it("reaches every connection of a user on every node, including the caller's own", async () => {
    const a = await relayNode();
    const b = await relayNode();
    const c = await relayNode();
    const echo: Handler = async (_procedure, input) => input;
    a.server.conns.set('a1', { user: 'alice', handler: echo });
    b.server.conns.set('b1', { user: 'alice', handler: echo });
    b.server.conns.set('b2', { user: 'bob', handler: echo });
    c.server.conns.set('c1', {
      user: 'alice',
      handler: async () => {
        throw new SockkitError('CONFLICT', 'busy');
      },
    });
    const results = await a.relay.callUser('alice', 'notify', json('hi'));
    const byConn = new Map(results.map((r) => [r.conn, r]));
    expect([...byConn.keys()].sort()).toEqual(['a1', 'b1', 'c1']);
    expect(byConn.get('b1')).toMatchObject({ ok: true, result: { json: '"hi"' } });
    const failed = byConn.get('c1')!;
    expect(failed.ok === false && failed.error.code).toBe('CONFLICT');
    expect(await a.relay.callUser('nobody', 'notify', json('hi'))).toEqual([]);
  });

  it('disconnects a connection on whichever node holds it, and says how many it closed', async () => {
    const a = await relayNode({}, 60_000);
    const b = await relayNode();
    const c = await relayNode();
    const idle: Handler = async () => null;
    a.server.conns.set('a1', { user: 'alice', handler: idle });
    c.server.conns.set('c1', { user: 'bob', handler: idle });
    await expect(a.relay.disconnect('c1', 'moved')).resolves.toBe(1);
    expect(c.server.closed).toEqual(['c1: moved']);
    await expect(a.relay.disconnect('a1', 'local')).resolves.toBe(1);
    expect(a.server.closed).toEqual(['a1: local']);
    // Nowhere: every node answers 0, long before the 60 s deadline.
    await expect(b.relay.disconnect('c1', 'again')).resolves.toBe(0);
    expect(b.server.closed).toEqual([]);
    expect(a.relay.pending + b.relay.pending).toBe(0);
  });

  it("disconnects every connection of a user on every node, the caller's own included, and no one else's", async () => {
    const a = await relayNode();
    const b = await relayNode();
    const c = await relayNode();
    const idle: Handler = async () => null;
    a.server.conns.set('a1', { user: 'alice', handler: idle });
    b.server.conns.set('b1', { user: 'alice', handler: idle });
    b.server.conns.set('b2', { user: 'alice', handler: idle });
    b.server.conns.set('b3', { user: 'bob', handler: idle });
    c.server.conns.set('c1', { user: 'bob', handler: idle });
    await expect(a.relay.disconnectUser('alice', 'signed out')).resolves.toBe(3);
    expect([...a.server.closed, ...b.server.closed, ...c.server.closed].sort()).toEqual([
      'a1: signed out',
      'b1: signed out',
      'b2: signed out',
    ]);
    expect([...b.server.conns.keys(), ...c.server.conns.keys()]).toEqual(['b3', 'c1']);
    await expect(c.relay.disconnectUser('alice', 'again')).resolves.toBe(0);
    await expect(c.relay.disconnectUser('nobody', 'x')).resolves.toBe(0);
  });

  it('a disconnect fails with UNAVAILABLE while Redis is unreachable', async () => {
    const a = await relayNode({ reconnectDelay: () => 1000 });
    const b = await relayNode();
    b.server.conns.set('x', { user: 'u', handler: async () => 'ok' });
    await killClients(redisUrl, `${prefix}${a.link.node}:`);
    await waitFor(() => a.link.status === 'down', 'down');
    await expect(a.relay.disconnect('x', 'r')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(a.relay.disconnectUser('u', 'r')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(b.server.closed).toEqual([]);
    await waitFor(() => a.link.status === 'up', 'up', 10_000);
    await expect(a.relay.disconnect('x', 'r')).resolves.toBe(1);
  });

  it('refuses more than maxPending calls at once', async () => {
    const link = new RedisLink({ url: redisUrl, prefix, logger: silentLogger });
    links.push(link);
    const relay = new RedisRelay({ link, maxPending: 2, timeoutMs: 5000 });
    relays.push(relay);
    await link.ready();
    await relay.start();
    const b = await relayNode();
    b.server.conns.set('slow', { user: 'u', handler: () => new Promise(() => {}) });
    const first = relay.call('slow', 'p', json(1)).catch((error: unknown) => error);
    const second = relay.call('slow', 'p', json(2)).catch((error: unknown) => error);
    await expect(relay.call('slow', 'p', json(3))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await relay.close();
    expect(isSockkitError(await first, 'UNAVAILABLE')).toBe(true);
    expect(isSockkitError(await second, 'UNAVAILABLE')).toBe(true);
  });

  it('fails with UNAVAILABLE while Redis is unreachable', async () => {
    const a = await relayNode({ reconnectDelay: () => 1000 });
    const b = await relayNode();
    b.server.conns.set('x', { user: 'u', handler: async () => 'ok' });
    await killClients(redisUrl, `${prefix}${a.link.node}:`);
    await waitFor(() => a.link.status === 'down', 'down');
    await expect(a.relay.call('x', 'p', json(1))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await waitFor(() => a.link.status === 'up', 'up', 10_000);
    expect(JSON.parse((await a.relay.call('x', 'p', json(1))).json!)).toBe('ok');
  });
});
