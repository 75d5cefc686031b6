/**
 * The client from the contract's type alone (`createSockkitClient<typeof contract>({ url })`,
 * no contract object at run time): namespaces built on use, names the server does not know
 * refused by the server with typed errors, server calls served without validation, and the
 * calls-only client. Type tests at the end: the type-only client is exactly as strict.
 */
import { createSockkitCallClient, createSockkitClient } from '@sockkit/client/node';
import { isSockkitError } from '@sockkit/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { connect, startServer, type TestContract } from './fixtures.js';

const url = (server: { port: number | undefined }) => `ws://127.0.0.1:${server.port}`;

function typeOnly(server: { port: number | undefined }, handlers = {}) {
  const client = createSockkitClient<TestContract>({ url: url(server), handlers });
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

describe('type-only client', () => {
  it('calls, subscribes with presence and publishes with no contract at run time', async () => {
    await using server = await startServer();
    await using alice = typeOnly(server);
    await using bob = typeOnly(server);
    await expect(alice.call.echo({ id: 1, text: 'hi' })).resolves.toEqual({
      id: 1,
      text: 'hi',
      echoed: true,
    });
    const date = new Date('2026-01-02T03:04:05.678Z');
    const typed = await alice.call.types({
      date,
      map: new Map([['a', 1]]),
      set: new Set([1]),
      big: 2n,
      bytes: new Uint8Array([1]),
      re: /x/g,
      missing: undefined,
    });
    expect(typed.date).toEqual(date);
    expect(typed.map.get('a')).toBe(1);

    const got: string[] = [];
    const aliceSub = alice.subscribe.chat({ room: 't' }, (m) => got.push(m.text), {
      presence: { name: 'Alice' },
    });
    await aliceSub.ready;
    const bobSub = bob.subscribe.chat({ room: 't' }, undefined, { presence: { name: 'Bob' } });
    await bobSub.ready;
    await expect
      .poll(() => [...aliceSub.presence.values()].map((m) => m.state.name).sort())
      .toEqual(['Alice', 'Bob']);
    await bob.publish.chat({ room: 't' }, { text: 'hello' });
    await expect.poll(() => got).toEqual(['hello']);
    // The same function each time: names are built once.
    expect(alice.call.echo).toBe(alice.call.echo);
  });

  it('unknown names get the server’s typed errors, as with the contract given', async () => {
    await using server = await startServer();
    await using bare = typeOnly(server);
    await using full = connect(server);
    for (const client of [bare, full]) {
      const call = client.call as unknown as Record<string, (input?: unknown) => Promise<unknown>>;
      await expect(call.nope!({})).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: "no procedure 'nope'",
      });
      const subscribe = client.subscribe as unknown as Record<
        string,
        (params: unknown) => { ready: Promise<void> }
      >;
      const refused = await subscribe.nope!({}).ready.catch((error: unknown) => error);
      expect(isSockkitError(refused) && refused.code).toBe('NOT_FOUND');
      const publish = client.publish as unknown as Record<
        string,
        (p: unknown, m: unknown) => Promise<unknown>
      >;
      await expect(publish.news!(undefined, { n: 1 })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: "clients may not publish to 'news'",
      });
      // Still connected and working after each refusal.
      await expect(client.call.whoami()).resolves.toMatchObject({ conn: client.connectionId });
    }
  });

  it('is not a thenable and serialises without calling anything', async () => {
    await using server = await startServer();
    await using client = typeOnly(server);
    await client.ready();
    expect(await client.call).toBe(client.call);
    expect(JSON.stringify({ call: client.call, subscribe: client.subscribe })).toBe(
      '{"call":{},"subscribe":{}}',
    );
    const probed = client.call as unknown as Record<string, unknown>;
    expect([probed.__v_isRef, probed.$$typeof, probed.toJSON, probed['1x']]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // Keys every object inherits are names like any other: they call the server, which has no
    // such procedure.
    const inherited = client.call as unknown as Record<string, () => Promise<unknown>>;
    await expect(inherited.toString!()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(inherited.constructor!()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(client.subscriptions()).toEqual([]);
  });

  it('serves the server’s calls with the input as sent (the contract would have transformed it)', async () => {
    await using server = await startServer();
    const seen: unknown[] = [];
    await using client = typeOnly(server, {
      measure: (text: string) => {
        seen.push(text);
        return text.length * 10;
      },
    });
    await expect(client.call.measureOnClient('abcd')).resolves.toBe(40);
    expect(seen).toEqual(['abcd']);
    await client.ready();
    const conn = server.connections.get(client.connectionId!)!;
    await expect(conn.call.confirm({ question: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: "no client handler for 'confirm'",
    });
  });

  it('re-sends an idempotent call after a dropped link only when told so without the contract', async () => {
    await using server = await startServer();
    await using bare = typeOnly(server);
    const told = createSockkitClient<TestContract>({
      url: url(server),
      procedures: { counter: { idempotent: true } },
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    await using _told = Object.assign(told, { [Symbol.asyncDispose]: () => told.close() });
    for (const client of [bare, told]) await client.ready();
    const calls = [bare.call.counter({ ms: 300 }), told.call.counter({ ms: 300 })];
    for (const client of [bare, told]) {
      const conn = server.connections.get(client.connectionId!)!;
      await expect.poll(() => (conn as unknown as { callsInFlight: number }).callsInFlight).toBe(1);
      conn.close(1012);
    }
    await expect(calls[0]).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(calls[1]).resolves.toBeGreaterThanOrEqual(1);
  });

  it('takes a procedure timeout from the settings given without the contract', async () => {
    await using server = await startServer();
    const client = createSockkitClient<TestContract>({
      url: url(server),
      procedures: { slow: { timeout: 50 } },
    });
    await using _client = Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
    await expect(client.call.slow({ ms: 5000 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('calls-only client', () => {
  it('calls; has no subscribe or publish; the server’s calls to it get NOT_FOUND', async () => {
    await using server = await startServer();
    const client = createSockkitCallClient<TestContract>({ url: url(server) });
    try {
      await expect(client.call.echo({ id: 2, text: 'x' })).resolves.toMatchObject({ echoed: true });
      expect('subscribe' in client && client.subscribe).toBeFalsy();
      expect('publish' in client && client.publish).toBeFalsy();
      const conn = server.connections.get(client.connectionId!)!;
      await expect(conn.call.confirm({ question: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(client.call.whoami()).resolves.toMatchObject({ conn: client.connectionId });
    } finally {
      await client.close();
    }
  });
});

// Compile-time only: type-checked, never called.
function types(url: string) {
  const bare = createSockkitClient<TestContract>({ url });
  expectTypeOf(bare.call.echo).returns.toEqualTypeOf<
    Promise<{ id: number; text: string; echoed: boolean }>
  >();
  // @ts-expect-error unknown procedure
  void bare.call.nope();
  // @ts-expect-error wrong input
  void bare.call.echo({ id: 'x', text: 'y' });
  // @ts-expect-error clients may not publish to news
  void bare.publish.news(undefined, { n: 1 });
  // @ts-expect-error unknown topic
  bare.subscribe.nope({});
  bare.subscribe.chat({ room: 'r' }, (m) =>
    expectTypeOf(m).toEqualTypeOf<{ text: string; from?: string | undefined }>(),
  );
  // Handlers get what the server sent: the schema's input type (string), not its output (number).
  createSockkitClient<TestContract>({
    url,
    handlers: { measure: (text) => expectTypeOf(text).toEqualTypeOf<string>() as never },
  });
  // With the contract: validated and transformed (number).
  createSockkitClient({
    url,
    contract: {} as TestContract,
    handlers: { measure: (n) => expectTypeOf(n).toEqualTypeOf<number>() as never },
  });
  // @ts-expect-error no such client procedure
  createSockkitClient<TestContract>({ url, handlers: { nope: () => 1 } });
  // @ts-expect-error settings for a procedure the contract does not have
  createSockkitClient<TestContract>({ url, procedures: { nope: { idempotent: true } } });
  const calls = createSockkitCallClient<TestContract>({ url });
  void calls.call.whoami();
  // @ts-expect-error a calls-only client cannot subscribe
  calls.subscribe.chat({ room: 'r' });
  // @ts-expect-error nor take handlers
  createSockkitCallClient<TestContract>({ url, handlers: {} });
}
void types;
