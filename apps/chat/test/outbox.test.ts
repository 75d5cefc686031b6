/**
 * Offline sends against a real server: kept while the server is down and sent once when it
 * is back; a reply lost on a cut link, a second flush and a reloaded page (a new outbox on
 * the same storage) never store a message twice; a refusal is kept as failed, not retried.
 * And the timeline a page builds from them: any order, any repeat, one message per id.
 */
import { join } from 'node:path';
import { silentLogger } from '@sockkit/server';
import { startProxy } from '@sockkit/testing';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/contract.js';
import { startChat } from '../src/server/app.js';
import { memoryStorage, Outbox } from '../src/shared/outbox.js';
import { Timeline } from '../src/shared/timeline.js';
import { connectAs, tempDir } from './people.js';

const dir = tempDir('outbox');

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const stored = (messages: readonly ChatMessage[], text: string) =>
  messages.filter((m) => m.text === text).length;

describe('the outbox', () => {
  it('keeps sends while the server is down and delivers each once when it is back', async () => {
    const dbPath = join(dir, 'restart.sqlite');
    let chat = await startChat({ port: 0, host: '127.0.0.1', dbPath, logger: silentLogger });
    const port = chat.port;
    const client = connectAs(chat.url, 'ada', { offline: 'reject' });
    await client.ready();
    const storage = memoryStorage();
    const outbox = new Outbox(storage, (input) => client.call.send(input));
    await chat.close();
    await until(() => client.state !== 'open', 'the link down');
    outbox.add('general', 'written offline 1');
    outbox.add('general', 'written offline 2');
    await outbox.flush();
    expect(outbox.list().map((entry) => entry.text)).toEqual(['written offline 1', 'written offline 2']);
    expect(storage.load()).toHaveLength(2);

    chat = await startChat({ port, host: '127.0.0.1', dbPath, logger: silentLogger });
    await until(() => client.state === 'open', 'the link back');
    await outbox.flush();
    expect(outbox.list()).toEqual([]);
    const { messages } = await client.call.history({ room: 'general' });
    expect(messages.map((m) => m.text)).toEqual(['written offline 1', 'written offline 2']);
    // A reloaded page finding the same entries (saved before the replies came) sends them again: still once each.
    const reloaded = new Outbox(
      {
        load: () => messages.map((m) => ({ key: m.key, room: m.room, text: m.text, at: m.at })),
        save: () => {},
      },
      (input) => client.call.send(input),
    );
    await Promise.all([reloaded.flush(), reloaded.flush()]);
    const after = await client.call.history({ room: 'general' });
    expect(after.messages.map((m) => m.id)).toEqual(messages.map((m) => m.id));
    client.close();
    await chat.close();
  });

  it('stores a send whose reply was lost on a cut link once (the idempotent call is sent again)', async () => {
    // The store asks for the time while it writes the message: the call has arrived, the
    // reply is not written yet. Stalling the proxy there holds the reply back; cutting then loses it.
    let armed = false;
    let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
    const now = () => {
      if (armed) proxy?.stall();
      return Date.now();
    };
    const chat = await startChat({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'cut.sqlite'),
      logger: silentLogger,
      now,
    });
    proxy = await startProxy(chat.port);
    const client = connectAs(`http://127.0.0.1:${proxy.port}`, 'ada');
    await client.ready();
    const sent: ChatMessage[] = [];
    const outbox = new Outbox(
      memoryStorage(),
      (input) => client.call.send(input),
      (message) => sent.push(message),
    );
    armed = true;
    outbox.add('general', 'reply lost');
    await until(
      () => stored(chat.store.history('general', undefined, 10).messages, 'reply lost') === 1,
      'the store',
    );
    armed = false;
    expect(sent).toEqual([]);
    proxy.cut();
    await until(() => sent.length === 1, 'the confirmation after reconnecting');
    expect(outbox.list()).toEqual([]);
    expect(stored(chat.store.history('general', undefined, 10).messages, 'reply lost')).toBe(1);
    expect(proxy.accepted).toBe(2);
    client.close();
    await proxy.close();
    await chat.close();
  });

  it('keeps a refused message as failed and goes on with the next', async () => {
    const chat = await startChat({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'refused.sqlite'),
      logger: silentLogger,
    });
    const client = connectAs(chat.url, 'ada');
    const outbox = new Outbox(memoryStorage(), (input) => client.call.send(input));
    outbox.add('no-such-room', 'lost');
    outbox.add('general', 'fine');
    await until(
      () => outbox.list().length === 1 && outbox.list()[0]!.error !== undefined,
      'the refusal kept',
    );
    expect(outbox.list()[0]).toMatchObject({
      room: 'no-such-room',
      error: expect.stringMatching(/^NOT_FOUND/),
    });
    expect(stored(chat.store.history('general', undefined, 10).messages, 'fine')).toBe(1);
    outbox.discard(outbox.list()[0]!.key);
    expect(outbox.list()).toEqual([]);
    client.close();
    await chat.close();
  });
});

describe('the timeline', () => {
  const message = (id: number, rev: number, text = `m${id}`): ChatMessage => ({
    id,
    room: 'general',
    rev,
    author: { user: 'u', name: 'u' },
    text,
    at: 0,
    editedAt: null,
    deleted: false,
    key: `key-${id}-0000`,
  });

  it('holds one message per id at its newest revision, whatever the order and repeats', () => {
    const timeline = new Timeline();
    timeline.apply([message(2, 2), message(1, 1)]);
    expect(timeline.apply([message(2, 2)])).toBe(false);
    timeline.apply([message(1, 5, 'edited'), message(1, 3, 'older edit')]);
    expect(timeline.messages().map((m) => [m.id, m.text])).toEqual([
      [1, 'edited'],
      [2, 'm2'],
    ]);
    expect(timeline.rev).toBe(5);
    expect(timeline.newest()).toBe(2);
  });

  it('leaves out a change to a message older than the held page until that page is loaded', () => {
    const timeline = new Timeline();
    timeline.applyPage({ messages: [message(51, 60), message(52, 61)], more: true });
    expect(timeline.apply([message(3, 62, 'edited long ago')])).toBe(false);
    expect(timeline.oldest()).toBe(51);
    timeline.applyPage({ messages: [message(3, 62, 'edited long ago')], more: false });
    expect(timeline.messages().map((m) => m.text)).toEqual(['edited long ago', 'm51', 'm52']);
    // With the whole room held, every change applies.
    expect(timeline.apply([message(3, 63, 'again')])).toBe(true);
  });

  it('says there is more history only from the page reaching furthest back', () => {
    const timeline = new Timeline();
    timeline.applyPage({ messages: [message(51, 51), message(52, 52)], more: true });
    expect(timeline.more).toBe(true);
    timeline.applyPage({ messages: [message(60, 60)], more: false });
    expect(timeline.more).toBe(true);
    timeline.applyPage({ messages: [message(1, 1)], more: false });
    expect(timeline.more).toBe(false);
    expect(timeline.oldest()).toBe(1);
  });
});
