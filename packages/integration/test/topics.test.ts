/**
 * Topics over real sockets: typed pub/sub, authorization, presence, ordering, resume with
 * no gap and no duplicate across the replay/live seam, and bad input.
 */
import { SockkitError } from '@sockkit/core';
import { MemoryBroker } from '@sockkit/server';
import { describe, expect, it } from 'vitest';
import { connect, rawSocket, startServer } from './fixtures.js';

describe('publish and subscribe', () => {
  it('delivers server publishes to subscribers of that channel only, with offsets and epoch', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const got: { text: string; offset: number | undefined }[] = [];
    const sub = client.subscribe.chat({ room: 'a' }, (message, info) =>
      got.push({ text: message.text, offset: info.offset }),
    );
    await sub.ready;
    await server.publish.chat({ room: 'b' }, { text: 'other room' });
    const first = await server.publish.chat({ room: 'a' }, { text: 'one' });
    await server.publish.chat({ room: 'a' }, { text: 'two' });
    await expect
      .poll(() => got)
      .toEqual([
        { text: 'one', offset: 1 },
        { text: 'two', offset: 2 },
      ]);
    expect(first).toEqual({ epoch: expect.any(String), offset: 1 });
    expect(sub.position).toEqual({ epoch: first.epoch, offset: 2 });
  });

  it('lets clients publish where the contract allows, through onPublish', async () => {
    await using server = await startServer({
      topics: { chat: { onPublish: (message, { auth }) => ({ ...message, from: auth.user ?? 'anon' }) } },
    });
    await using alice = connect(server, { params: () => ({ token: 'alice' }) });
    await using bob = connect(server);
    const got: unknown[] = [];
    await bob.subscribe.chat({ room: 'r' }, (m) => got.push(m)).ready;
    await expect(alice.publish.chat({ room: 'r' }, { text: 'hi' })).resolves.toMatchObject({ offset: 1 });
    await expect.poll(() => got).toEqual([{ text: 'hi', from: 'alice' }]);
  });

  it('refuses client publishing to a server-only topic with FORBIDDEN (and it does not compile)', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"pub","id":1,"topic":"news","d":{"n":1}}');
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'error', e: { code: 'FORBIDDEN' } });
    await using client = connect(server);
    // The client sends it (names are not checked at run time) and the server refuses it.
    // @ts-expect-error news is not client-publishable
    await expect(client.publish.news(undefined, { n: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('delivers in publish order to many subscribers', async () => {
    await using server = await startServer();
    const clients = Array.from({ length: 20 }, () => connect(server));
    const received = clients.map(() => [] as number[]);
    await Promise.all(
      clients.map((c, i) => c.subscribe.news(undefined, (m) => received[i]!.push(m.n)).ready),
    );
    for (let n = 1; n <= 200; n++) void server.publish.news(undefined, { n });
    const expected = Array.from({ length: 200 }, (_, i) => i + 1);
    await expect.poll(() => received.every((r) => r.length === 200), { timeout: 10_000 }).toBe(true);
    for (const r of received) expect(r).toEqual(expected);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('works as an async iterator that ends cleanly on abort', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const controller = new AbortController();
    const sub = client.subscribe.news(undefined, undefined, { signal: controller.signal });
    await sub.ready;
    const seen: number[] = [];
    const loop = (async () => {
      for await (const { message } of sub) {
        seen.push(message.n);
        if (seen.length === 3) controller.abort();
      }
    })();
    for (let n = 1; n <= 5; n++) await server.publish.news(undefined, { n });
    await loop;
    expect(seen).toEqual([1, 2, 3]);
    expect(sub.ended).toBe(true);
  });

  it('ends the iterator and unsubscribes on break', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const sub = client.subscribe.news(undefined);
    await sub.ready;
    void server.publish.news(undefined, { n: 1 });
    for await (const item of sub) {
      expect(item.message).toEqual({ n: 1 });
      break;
    }
    expect(sub.ended).toBe(true);
    await expect.poll(() => server.connections.get(client.connectionId!)!.channels()).toEqual([]);
  });

  it('joins a connection to a channel from the server side', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await client.ready();
    const joined = new Promise<unknown>((resolve) =>
      client.on('subscription', (sub) => {
        sub.on('message', (m) => resolve(m));
      }),
    );
    await server.connections.get(client.connectionId!)!.subscribe.chat({ room: 'vip' });
    await server.publish.chat({ room: 'vip' }, { text: 'welcome' });
    await expect(joined).resolves.toEqual({ text: 'welcome' });
    expect(client.subscriptions().map((s) => s.channel)).toEqual(['chat:{"room":"vip"}']);
  });

  it('volatile messages carry no offset and are not replayed', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const got: (number | undefined)[] = [];
    await client.subscribe.cursor({ doc: 'd' }, (_m, info) => got.push(info.offset)).ready;
    await client.publish.cursor({ doc: 'd' }, { pos: 4 });
    await expect.poll(() => got).toEqual([undefined]);
    const { epoch } = await server.broker.position('cursor:{"doc":"d"}');
    const reply = await server.broker.history('cursor:{"doc":"d"}', { epoch, offset: 0 });
    expect(reply).toMatchObject({ recovered: true, messages: [] });
  });
});

describe('authorization', () => {
  it('denied subscribe and publish give FORBIDDEN; nothing else is affected', async () => {
    await using server = await startServer({
      topics: {
        chat: {
          authorize: {
            subscribe: ({ auth, params }) => params.room !== 'secret' || auth.user === 'admin',
            publish: ({ auth }) => auth.user !== null,
          },
        },
      },
    });
    await using anon = connect(server);
    await using admin = connect(server, { params: () => ({ token: 'admin' }) });
    await expect(anon.subscribe.chat({ room: 'secret' }).ready).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(admin.subscribe.chat({ room: 'secret' }).ready).resolves.toBeUndefined();
    await expect(anon.publish.chat({ room: 'x' }, { text: 'hi' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(admin.publish.chat({ room: 'x' }, { text: 'hi' })).resolves.toMatchObject({ offset: 1 });
    await expect(anon.call.echo({ id: 1, text: 'still fine' })).resolves.toMatchObject({ echoed: true });
  });

  it('onPublish may reject a message with its own error', async () => {
    await using server = await startServer({
      topics: {
        chat: {
          onPublish: (message) => {
            if (message.text.includes('spam')) throw new SockkitError('BAD_REQUEST', 'no spam');
            return message;
          },
        },
      },
    });
    await using client = connect(server);
    await expect(client.publish.chat({ room: 'r' }, { text: 'spam!' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'no spam',
    });
  });
});

describe('presence', () => {
  it('gives a snapshot on subscribe, join/update/leave events, and cleans up on disconnect', async () => {
    await using server = await startServer();
    await using alice = connect(server, { params: () => ({ token: 'alice' }) });
    const bob = connect(server, { params: () => ({ token: 'bob' }) });
    const aliceSub = alice.subscribe.chat({ room: 'p' }, undefined, { presence: { name: 'Alice' } });
    await aliceSub.ready;
    const bobSub = bob.subscribe.chat({ room: 'p' }, undefined, { presence: { name: 'Bob' } });
    await bobSub.ready;
    expect([...bobSub.presence.values()].map((m) => m.state.name).sort()).toEqual(['Alice', 'Bob']);
    await expect
      .poll(() => [...aliceSub.presence.values()].map((m) => `${m.user}:${m.state.name}`).sort())
      .toEqual(['alice:Alice', 'bob:Bob']);
    await bobSub.setPresence({ name: 'Bobby' });
    await expect.poll(() => aliceSub.presence.get(bob.connectionId!)?.state.name).toBe('Bobby');
    const bobId = bob.connectionId!;
    await bob.close();
    await expect.poll(() => aliceSub.presence.has(bobId)).toBe(false);
    expect([...aliceSub.presence.keys()]).toEqual([alice.connectionId]);
  });

  it('leaves no presence behind when the subscribe is cancelled or the socket closes while joining', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    // Unsubscribed in the same frame: the unsubscribe runs before the join reaches presence.
    raw.send(
      '[{"t":"sub","id":1,"topic":"chat","params":{"room":"g"},"presence":{"d":{"name":"ghost"}}},{"t":"unsub","id":2,"c":"chat:{\\"room\\":\\"g\\"}"}]',
    );
    await raw.next((m) => m.id === 2);
    // Closed right behind the subscribe.
    const closing = await rawSocket(server);
    closing.send('{"t":"sub","id":1,"topic":"chat","params":{"room":"g"},"presence":{"d":{"name":"gone"}}}');
    closing.ws.terminate();
    await expect.poll(() => server.connections.size).toBe(1);
    await using newcomer = connect(server);
    const sub = newcomer.subscribe.chat({ room: 'g' }, undefined, { presence: { name: 'newcomer' } });
    await sub.ready;
    expect([...sub.presence.values()].map((m) => m.state.name)).toEqual(['newcomer']);
  });

  it('a presence update followed by an unsubscribe in the same frame leaves no member behind', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"sub","id":1,"topic":"chat","params":{"room":"pu"},"presence":{"d":{"name":"first"}}}');
    const { c } = await raw.next((m) => m.id === 1);
    raw.send(
      JSON.stringify([
        { t: 'pset', id: 2, c, d: { name: 'second' } },
        { t: 'unsub', id: 3, c },
      ]),
    );
    // Applied in order: the update answers, then the unsubscribe takes the member away.
    expect(await raw.next((m) => m.id === 2)).toMatchObject({ t: 'result' });
    expect(await raw.next((m) => m.id === 3)).toMatchObject({ t: 'result' });
    await using observer = connect(server);
    const watch = observer.subscribe.chat({ room: 'pu' });
    await watch.ready;
    expect([...watch.presence.values()]).toEqual([]);
    raw.ws.terminate();
    await expect.poll(() => server.connections.size).toBe(1);
    expect(await server.broker.presenceMembers(c as string)).toEqual([]);
  });

  it('sends presence set while the subscribe is still in flight', async () => {
    await using server = await startServer();
    await using alice = connect(server, { params: () => ({ token: 'alice' }) });
    await using bob = connect(server, { params: () => ({ token: 'bob' }) });
    await bob.ready();
    const aliceSub = alice.subscribe.chat({ room: 'q' }, undefined, { presence: { name: 'Alice' } });
    await aliceSub.ready;
    const bobSub = bob.subscribe.chat({ room: 'q' }, undefined, { presence: { name: 'first' } });
    // The `sub` carrying 'first' is on the wire; this change must not be lost on confirmation.
    const update = bobSub.setPresence({ name: 'second' });
    await bobSub.ready;
    await update;
    await expect.poll(() => aliceSub.presence.get(bob.connectionId!)?.state.name).toBe('second');
    await expect.poll(() => bobSub.presence.get(bob.connectionId!)?.state.name).toBe('second');
  });

  it('subscribes again at once after unsubscribing before the confirmation', async () => {
    await using server = await startServer();
    await using watcher = connect(server);
    const watch = watcher.subscribe.chat({ room: 'r' });
    await watch.ready;
    await using client = connect(server);
    await client.ready();
    const first = client.subscribe.chat({ room: 'r' }, undefined, { presence: { name: 'first' } });
    first.unsubscribe(); // its `sub` is on the wire; the server will hold that subscription
    const got: string[] = [];
    const second = client.subscribe.chat({ room: 'r' }, (m) => got.push(m.text), {
      presence: { name: 'second' },
    });
    await expect(first.ready).rejects.toMatchObject({ code: 'CANCELLED' });
    await second.ready; // was CONFLICT ("already subscribed") before
    await expect.poll(() => [...watch.presence.values()].map((m) => m.state.name)).toEqual(['second']);
    await server.publish.chat({ room: 'r' }, { text: 'hello' });
    await expect.poll(() => got).toEqual(['hello']);
  });

  it('rejects invalid presence state with BAD_REQUEST', async () => {
    await using server = await startServer();
    await using client = connect(server);
    // @ts-expect-error name must be a string
    const sub = client.subscribe.chat({ room: 'p' }, undefined, { presence: { name: 1 } });
    await expect(sub.ready).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('resume', () => {
  it('replays what a subscriber missed, then continues live, with no gap and no duplicate under concurrent publishing', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const got: number[] = [];
    const sub = client.subscribe.news(undefined, (m) => got.push(m.n));
    await sub.ready;
    let n = 0;
    const publishing = (async () => {
      while (n < 600) {
        await server.publish.news(undefined, { n: ++n });
        if (n % 10 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    // Drop the link several times while publishing goes on: each resubscribe replays from its offset.
    for (let i = 0; i < 4; i++) {
      await expect.poll(() => got.length > i * 120 + 20, { timeout: 10_000 }).toBe(true);
      server.connections.get(client.connectionId!)!.close(1012, 'test drop');
      await new Promise((resolve) => client.on('state', (s) => s === 'open' && resolve(undefined)));
    }
    await publishing;
    await expect.poll(() => got.length, { timeout: 10_000 }).toBe(600);
    expect(got).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(sub.recovered).toBe(true);
  });

  it('answers recovered: false when history no longer reaches back', async () => {
    await using server = await startServer({ broker: new MemoryBroker({ historySize: 5 }) });
    await using raw = await rawSocket(server);
    let epoch = '';
    for (let n = 1; n <= 20; n++) ({ epoch } = await server.publish.news(undefined, { n }));
    raw.send(JSON.stringify({ t: 'sub', id: 1, topic: 'news', from: { epoch, offset: 3 } }));
    expect(await raw.next((m) => m.id === 1)).toMatchObject({
      t: 'subscribed',
      recovered: false,
      offset: 20,
      epoch,
    });
    raw.send(JSON.stringify({ t: 'unsub', id: 2, c: 'news' }));
    await raw.next((m) => m.id === 2);
    raw.send(JSON.stringify({ t: 'sub', id: 3, topic: 'news', from: { epoch, offset: 16 } }));
    expect(await raw.next((m) => m.id === 3)).toMatchObject({ t: 'subscribed', recovered: true, offset: 16 });
    const replayed = [await raw.next((m) => m.t === 'msg'), await raw.next((m) => m.t === 'msg')];
    expect(replayed.map((m) => m.o)).toEqual([17, 18]);
  });

  it('answers recovered: false for another epoch, and the client surfaces it', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await server.publish.news(undefined, { n: 1 });
    const sub = client.subscribe.news(undefined);
    await sub.ready;
    const flags: boolean[] = [];
    sub.on('recovered', (ok) => flags.push(ok));
    sub.position = { epoch: 'an-old-epoch', offset: 7 };
    server.connections.get(client.connectionId!)!.close(1012);
    await expect.poll(() => flags).toEqual([false]);
    expect(sub.recovered).toBe(false);
  });
});

describe('topic bad input', () => {
  it('unknown topic: NOT_FOUND', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"sub","id":1,"topic":"nope"}');
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'error', e: { code: 'NOT_FOUND' } });
  });

  it('bad params: BAD_REQUEST with issues', async () => {
    await using server = await startServer();
    await using client = connect(server);
    // @ts-expect-error room must be a string
    await expect(client.subscribe.chat({ room: 1 }).ready).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { issues: expect.any(Array) },
    });
  });

  it('invalid message on publish: BAD_REQUEST', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await expect(client.publish.chat({ room: 'r' }, { text: 'x'.repeat(300) })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(server.publish.chat({ room: 'r' }, { text: 'x'.repeat(300) })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('resume offset from the future: BAD_REQUEST', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    const { epoch } = await server.publish.news(undefined, { n: 1 });
    raw.send(JSON.stringify({ t: 'sub', id: 1, topic: 'news', from: { epoch, offset: 99 } }));
    expect(await raw.next((m) => m.id === 1)).toMatchObject({
      t: 'error',
      e: { code: 'BAD_REQUEST', message: 'resume offset 99 is ahead of news (at 1)' },
    });
  });

  it('too many subscriptions on one connection: LIMIT_EXCEEDED', async () => {
    await using server = await startServer({ limits: { maxSubscriptions: 2 } });
    await using client = connect(server);
    await client.subscribe.chat({ room: '1' }).ready;
    await client.subscribe.chat({ room: '2' }).ready;
    await expect(client.subscribe.chat({ room: '3' }).ready).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 2 },
    });
    await expect(client.call.echo({ id: 1, text: 'ok' })).resolves.toMatchObject({ echoed: true });
  });

  it('subscribing twice to one channel: CONFLICT', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"sub","id":1,"topic":"news"}');
    raw.send('{"t":"sub","id":2,"topic":"news"}');
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'subscribed' });
    expect(await raw.next((m) => m.id === 2)).toMatchObject({ t: 'error', e: { code: 'CONFLICT' } });
  });
});
