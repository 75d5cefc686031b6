/**
 * What a chat needs without reading sockkit's source: the last N messages on join (before live
 * ones, no gap and no duplicate at the seam, again after a resume that failed), history read on
 * the server, a field the server stamps (`publishInput` + `onPublish`), and presence whose state
 * the server checks and rewrites (`onPresence`). Asserted on frames as sent where the wire is
 * involved.
 */
import { createSockkitClient } from '@sockkit/client/node';
import { defineContract, SockkitError } from '@sockkit/core';
import { createSockkitServer, silentLogger } from '@sockkit/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rawSocket } from './fixtures.js';

const contract = defineContract({
  topics: {
    room: {
      params: z.object({ id: z.string() }),
      publishInput: z.object({ text: z.string().min(1).max(500) }),
      message: z.object({ text: z.string(), author: z.string(), at: z.number() }),
      presence: z.object({ name: z.string(), typing: z.boolean() }),
      publish: 'client',
    },
  },
});

type Auth = { name: string };

async function chatServer(onPublish?: (input: { text: string }, auth: Auth) => unknown) {
  const server = createSockkitServer({
    contract,
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    authenticate: ({ params }) => ({
      context: { name: String((params as { name?: string })?.name ?? 'anon') },
    }),
    topics: {
      room: {
        onPublish: (input, { auth }) =>
          (onPublish?.(input, auth) as never) ?? { text: input.text, author: auth.name, at: 1 },
        onPresence: (state, { auth }) => {
          if (state.name === 'forbidden') throw new SockkitError('FORBIDDEN', 'not that name');
          return { ...state, name: auth.name };
        },
      },
    },
  });
  await server.ready;
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close({ timeout: 500 }) });
}

function chatClient(server: { port: number | undefined }, name: string) {
  const client = createSockkitClient({
    url: `ws://127.0.0.1:${server.port}`,
    contract,
    params: () => ({ name }),
    reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
  });
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

describe('history on join', () => {
  it('the last N messages arrive before live ones, in order, each once, on the wire', async () => {
    await using server = await chatServer();
    for (let i = 1; i <= 80; i++)
      await server.publish.room({ id: 'h' }, { text: `m${i}`, author: 's', at: i });
    await using raw = await rawSocket(server);
    raw.send(JSON.stringify({ t: 'sub', id: 1, topic: 'room', params: { id: 'h' }, last: 50 }));
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'subscribed', offset: 30, recovered: true });
    await expect.poll(() => raw.all.filter((m) => m.t === 'msg').length).toBe(50);
    await server.publish.room({ id: 'h' }, { text: 'live', author: 's', at: 81 });
    await expect.poll(() => raw.all.filter((m) => m.t === 'msg').length).toBe(51);
    const offsets = raw.all.filter((m) => m.t === 'msg').map((m) => m.o);
    expect(offsets).toEqual(Array.from({ length: 51 }, (_, i) => 31 + i));
  });

  it('fewer messages than asked: all of them; an empty channel: none; the app gets them as messages', async () => {
    await using server = await chatServer();
    for (let i = 1; i <= 3; i++)
      await server.publish.room({ id: 'few' }, { text: `m${i}`, author: 's', at: i });
    await using client = chatClient(server, 'ada');
    const got: string[] = [];
    const sub = client.subscribe.room({ id: 'few' }, (m) => got.push(m.text), { history: 50 });
    await sub.ready;
    await expect.poll(() => got).toEqual(['m1', 'm2', 'm3']);
    const none: string[] = [];
    const empty = client.subscribe.room({ id: 'none' }, (m) => none.push(m.text), { history: 50 });
    await empty.ready;
    await client.publish.room({ id: 'none' }, { text: 'first' });
    await expect.poll(() => none).toEqual(['first']);
    expect(() => client.subscribe.room({ id: 'x' }, undefined, { history: 1001 })).toThrow(TypeError);
  });

  it('a resume that cannot be served: recovered: false, then the last N again', async () => {
    await using server = await chatServer();
    for (let i = 1; i <= 5; i++)
      await server.publish.room({ id: 'r' }, { text: `m${i}`, author: 's', at: i });
    await using raw = await rawSocket(server);
    raw.send(
      JSON.stringify({
        t: 'sub',
        id: 1,
        topic: 'room',
        params: { id: 'r' },
        from: { epoch: 'gone', offset: 3 },
        last: 2,
      }),
    );
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'subscribed', recovered: false, offset: 3 });
    await expect.poll(() => raw.all.filter((m) => m.t === 'msg').map((m) => m.o)).toEqual([4, 5]);
  });

  it('server.history reads the last messages, decoded and typed, with their offsets', async () => {
    await using server = await chatServer();
    for (let i = 1; i <= 7; i++)
      await server.publish.room({ id: 's' }, { text: `m${i}`, author: 's', at: i });
    const read = await server.history.room({ id: 's' }, { limit: 3 });
    expect(read.position.offset).toBe(7);
    expect(read.messages).toEqual(
      [5, 6, 7].map((o) => ({ offset: o, message: { text: `m${o}`, author: 's', at: o } })),
    );
    expect((await server.history.room({ id: 'nothing' })).messages).toEqual([]);
    await expect(server.history.room({ id: 's' }, { limit: -1 })).rejects.toThrow(TypeError);
  });
});

describe('fields the server stamps', () => {
  it('a client publishes { text }; subscribers get { text, author } with the author from auth', async () => {
    await using server = await chatServer();
    await using ada = chatClient(server, 'ada');
    await using bob = chatClient(server, 'bob');
    const got: unknown[] = [];
    await bob.subscribe.room({ id: 'p' }, (m) => got.push(m)).ready;
    await ada.publish.room({ id: 'p' }, { text: 'hello' });
    await expect.poll(() => got).toEqual([{ text: 'hello', author: 'ada', at: 1 }]);
    // What the client sends is validated against publishInput.
    await expect(ada.publish.room({ id: 'p' }, { text: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('an onPublish that makes a message breaking the schema is INTERNAL, and nothing is published', async () => {
    await using server = await chatServer(() => ({ text: 'x' }));
    await using ada = chatClient(server, 'ada');
    await expect(ada.publish.room({ id: 'bad' }, { text: 'hi' })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await server.history.room({ id: 'bad' })).messages).toEqual([]);
  });

  it('a topic with publishInput but no onPublish is refused at creation', () => {
    expect(() => createSockkitServer({ contract, port: 0, logger: silentLogger })).toThrow(/onPublish/);
  });
});

describe('presence the server checks', () => {
  it('onPresence rewrites a claimed name from auth, on join and on update; a refusal is an error', async () => {
    await using server = await chatServer();
    await using ada = chatClient(server, 'ada');
    await using bob = chatClient(server, 'bob');
    const watch = bob.subscribe.room({ id: 'q' });
    await watch.ready;
    const sub = ada.subscribe.room({ id: 'q' }, undefined, { presence: { name: 'admin', typing: false } });
    await sub.ready;
    await expect
      .poll(() => [...watch.presence.values()].map((m) => m.state))
      .toEqual([{ name: 'ada', typing: false }]);
    await sub.setPresence({ name: 'root', typing: true });
    await expect
      .poll(() => [...watch.presence.values()].map((m) => m.state))
      .toEqual([{ name: 'ada', typing: true }]);
    await expect(sub.setPresence({ name: 'forbidden', typing: true })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
