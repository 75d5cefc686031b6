/**
 * The chat server over real sockets: every procedure, its bad input, and who may do what.
 * The author of a message is always the connection's identity: a page cannot post, edit or
 * remove as someone else, whatever it sends.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/contract.js';
import { LIMITS } from '../src/shared/limits.js';
import { chatForFile, tokenOf, userOf } from './people.js';
import { rawSocket, refusedWith } from './raw-socket.js';

const server = chatForFile('server');
let keys = 0;
const key = () => `key-${Date.now().toString(36)}-${keys++}`;

/** Waits until `check` holds (bounded). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 10) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('identity and rooms', () => {
  it('answers who the caller is, with the key derived from their token', async () => {
    expect(await server.as('ada').call.me()).toEqual({ user: userOf('ada'), name: 'ada' });
  });

  it('refuses params without a usable token or name (UNAUTHORIZED, close 4001)', async () => {
    for (const params of [
      undefined,
      { token: 'short', name: 'x' },
      { token: tokenOf('x') },
      { token: tokenOf('x'), name: '  ' },
    ]) {
      expect(await refusedWith(server.chat.url, params)).toMatchObject({
        code: 4001,
        reason: expect.stringMatching(/token/),
      });
    }
  });

  it('lists rooms with general first; creates one with an id made from its name and announces it', async () => {
    const ada = server.as('ada');
    const bob = server.as('bob');
    const seen: unknown[] = [];
    const lobby = bob.subscribe.lobby(undefined, (message) => seen.push(message));
    await lobby.ready;
    const room = await ada.call.createRoom({ name: '  Design Reviews! ' });
    expect(room).toMatchObject({ id: 'design-reviews', name: 'Design Reviews!', lastId: 0 });
    await until(() => seen.length === 1, 'the lobby announcement');
    expect(seen[0]).toEqual({ kind: 'room', room });
    const rooms = await bob.call.rooms();
    expect(rooms[0]?.id).toBe('general');
    expect(rooms.map((entry) => entry.id)).toContain('design-reviews');
    expect(await bob.call.room({ room: 'design-reviews' })).toMatchObject({
      name: 'Design Reviews!',
      unread: 0,
    });
    expect((await ada.call.createRoom({ name: 'Ωμέγα' })).id).toMatch(/^room-[0-9a-f]{8}$/);
    lobby.unsubscribe();
  });

  it('refuses a taken id (CONFLICT), bad names and ids (BAD_REQUEST), unknown rooms (NOT_FOUND)', async () => {
    const ada = server.as('ada');
    await ada.call.createRoom({ name: 'taken' });
    await expect(ada.call.createRoom({ name: 'Taken' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(ada.call.createRoom({ name: '   ' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      ada.call.createRoom({ name: 'x'.repeat(LIMITS.maxRoomNameChars + 1) }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect((await ada.call.createRoom({ name: 'y'.repeat(LIMITS.maxRoomNameChars) })).id).toHaveLength(40);
    await expect(ada.call.room({ room: '../etc' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(ada.call.room({ room: 'nowhere' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ada.call.history({ room: 'nowhere' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ada.call.send({ room: 'nowhere', key: key(), text: 'hi' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const sub = ada.subscribe.room({ room: 'nowhere' });
    await expect(sub.ready).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(ada.state).toBe('open');
  });
});

describe('messages', () => {
  it('stamps the author, stores before it publishes, and sends it to the room', async () => {
    const ada = server.as('ada');
    const bob = server.as('bob');
    const received: ChatMessage[] = [];
    const storedWhenSeen: boolean[] = [];
    const sub = bob.subscribe.room({ room: 'general' }, ({ message }) => {
      received.push(message);
      storedWhenSeen.push(server.chat.store.message(message.id)?.text === message.text);
    });
    await sub.ready;
    const sent = await ada.call.send({ room: 'general', key: key(), text: '  **hello** bob ' });
    expect(sent).toMatchObject({
      room: 'general',
      text: '**hello** bob',
      author: { user: userOf('ada'), name: 'ada' },
    });
    expect(sent.deleted).toBe(false);
    expect(sent.editedAt).toBeNull();
    await until(() => received.length === 1, 'the message on the topic');
    expect(received[0]).toEqual(sent);
    expect(storedWhenSeen).toEqual([true]);
    sub.unsubscribe();
  });

  it('stores a send once per key: a repeat answers the first message, even with other text', async () => {
    const ada = server.as('ada');
    const k = key();
    const first = await ada.call.send({ room: 'general', key: k, text: 'once' });
    const again = await ada.call.send({ room: 'general', key: k, text: 'once' });
    const altered = await ada.call.send({ room: 'general', key: k, text: 'twice?' });
    expect(again).toEqual(first);
    expect(altered).toEqual(first);
    const { messages } = await ada.call.history({ room: 'general', limit: 100 });
    expect(messages.filter((message) => message.key === k)).toHaveLength(1);
    // Someone else's key space is their own: the same key from bob is bob's message.
    const bobs = await server.as('bob').call.send({ room: 'general', key: k, text: 'mine' });
    expect(bobs.id).not.toBe(first.id);
    expect(bobs.author.user).toBe(userOf('bob'));
  });

  it('refuses a key reused for another room (CONFLICT), and bad text or keys (BAD_REQUEST)', async () => {
    const ada = server.as('ada');
    await ada.call.createRoom({ name: 'elsewhere' });
    const k = key();
    await ada.call.send({ room: 'general', key: k, text: 'here' });
    await expect(ada.call.send({ room: 'elsewhere', key: k, text: 'there' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const bad = [
      { room: 'general', key: key(), text: '   ' },
      { room: 'general', key: key(), text: 'x'.repeat(LIMITS.maxMessageChars + 1) },
      { room: 'general', key: key(), text: 'half an emoji \ud83d' },
      { room: 'general', key: 'short', text: 'hi' },
      { room: 'general', key: 'has spaces in it', text: 'hi' },
    ];
    for (const input of bad)
      await expect(ada.call.send(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const longest = await ada.call.send({
      room: 'general',
      key: key(),
      text: 'x'.repeat(LIMITS.maxMessageChars),
    });
    expect(longest.text).toHaveLength(LIMITS.maxMessageChars);
  });

  it('edits and removes only the caller’s own messages, and everyone sees the change', async () => {
    const ada = server.as('ada');
    const bob = server.as('bob');
    const seen: ChatMessage[] = [];
    const sub = bob.subscribe.room({ room: 'general' }, ({ message }) => seen.push(message));
    await sub.ready;
    const sent = await ada.call.send({ room: 'general', key: key(), text: 'first draft' });
    await expect(bob.call.edit({ id: sent.id, text: 'bob was here' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(bob.call.remove({ id: sent.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(server.chat.store.message(sent.id)).toEqual(sent);

    const edited = await ada.call.edit({ id: sent.id, text: 'second draft' });
    expect(edited).toMatchObject({ id: sent.id, text: 'second draft', author: sent.author });
    expect(edited.rev).toBeGreaterThan(sent.rev);
    expect(edited.editedAt).not.toBeNull();
    const removed = await ada.call.remove({ id: sent.id });
    expect(removed).toMatchObject({ id: sent.id, text: '', deleted: true });
    expect(await ada.call.remove({ id: sent.id })).toEqual(removed);
    await expect(ada.call.edit({ id: sent.id, text: 'back?' })).rejects.toMatchObject({ code: 'CONFLICT' });
    // The second remove changed nothing and sends the same revision again: pages apply it once.
    const revisions = () =>
      new Map(seen.filter((message) => message.id === sent.id).map((message) => [message.rev, message]));
    await until(() => revisions().size === 3, 'three changes');
    expect([...revisions().values()].map((message) => message.text)).toEqual([
      'first draft',
      'second draft',
      '',
    ]);
    await expect(ada.call.edit({ id: 999_999, text: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ada.call.remove({ id: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    sub.unsubscribe();
  });

  it('takes no author from the input and lets no page publish on a room (raw frames)', async () => {
    const raw = await rawSocket(server.chat.url, { token: tokenOf('mallory'), name: 'ada' });
    const answer = await raw.request({
      t: 'call',
      p: 'send',
      d: { room: 'general', key: key(), text: 'I am ada', author: { user: userOf('ada'), name: 'ada' } },
    });
    expect(answer.t).toBe('result');
    const stored = server.chat.store.message((answer.d as ChatMessage).id)!;
    // The name is whatever the connection chose; the key, which no one can choose, is mallory's.
    expect(stored.author.user).toBe(userOf('mallory'));
    const forged = {
      id: stored.id,
      room: 'general',
      rev: 1,
      author: { user: userOf('ada'), name: 'ada' },
      text: 'x',
      at: 0,
      editedAt: null,
      deleted: false,
      key: 'forged-key',
    };
    const published = await raw.request({
      t: 'pub',
      topic: 'room',
      params: { room: 'general' },
      d: { message: forged },
    });
    expect(published).toMatchObject({ t: 'error', e: { code: 'FORBIDDEN' } });
    const lobby = await raw.request({
      t: 'pub',
      topic: 'lobby',
      d: { kind: 'message', room: 'general', id: 1, author: userOf('ada') },
    });
    expect(lobby).toMatchObject({ t: 'error', e: { code: 'FORBIDDEN' } });
    expect(server.chat.store.message(stored.id)).toEqual(stored);
    expect(raw.open).toBe(true);
    raw.close();
  });
});

describe('history, changes and unread counts', () => {
  it('pages back through a room without gap or overlap', async () => {
    const ada = server.as('ada');
    await ada.call.createRoom({ name: 'paged' });
    const ids: number[] = [];
    for (let i = 0; i < 120; i++)
      ids.push((await ada.call.send({ room: 'paged', key: key(), text: `m${i}` })).id);
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = await ada.call.history({ room: 'paged', ...(before ? { before } : {}) });
      pages++;
      seen.unshift(...page.messages.map((message) => message.id));
      if (!page.more) break;
      before = page.messages[0]!.id;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const last = await ada.call.history({ room: 'paged', limit: LIMITS.maxPage });
    expect(last.messages).toHaveLength(LIMITS.maxPage);
    for (const limit of [0, LIMITS.maxPage + 1, 1.5]) {
      await expect(ada.call.history({ room: 'paged', limit })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
  });

  it('gives the changes after a revision, edits and removals included, a page at a time', async () => {
    const ada = server.as('ada');
    await ada.call.createRoom({ name: 'changes' });
    const a = await ada.call.send({ room: 'changes', key: key(), text: 'a' });
    const since = a.rev;
    const b = await ada.call.send({ room: 'changes', key: key(), text: 'b' });
    await ada.call.edit({ id: a.id, text: 'a2' });
    await ada.call.remove({ id: b.id });
    const changed = await ada.call.changes({ room: 'changes', since });
    expect(changed.messages.map((message) => [message.id, message.text, message.deleted])).toEqual([
      [a.id, 'a2', false],
      [b.id, '', true],
    ]);
    expect(changed).toMatchObject({ more: false, rev: since + 3 });
    for (let i = 0; i < LIMITS.maxPage + 5; i++)
      await ada.call.send({ room: 'changes', key: key(), text: `n${i}` });
    const first = await ada.call.changes({ room: 'changes', since: changed.rev });
    expect(first).toMatchObject({ more: true });
    const second = await ada.call.changes({ room: 'changes', since: first.rev });
    expect(second.more).toBe(false);
    expect(first.messages.length + second.messages.length).toBe(LIMITS.maxPage + 5);
    await expect(ada.call.changes({ room: 'changes', since: -1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('counts others’ messages not yet read, announces each in the lobby, and never moves back', async () => {
    const ada = server.as('ada');
    const bob = server.as('bob');
    await ada.call.createRoom({ name: 'unread' });
    const lobby: unknown[] = [];
    const sub = bob.subscribe.lobby(undefined, (message) => lobby.push(message));
    await sub.ready;
    const sent: ChatMessage[] = [];
    for (const text of ['one', 'two', 'three'])
      sent.push(await ada.call.send({ room: 'unread', key: key(), text }));
    await bob.call.send({ room: 'unread', key: key(), text: 'my own does not count' });
    await ada.call.remove({ id: sent[2]!.id });
    expect((await bob.call.room({ room: 'unread' })).unread).toBe(2);
    expect((await ada.call.room({ room: 'unread' })).unread).toBe(1);
    expect(await bob.call.markRead({ room: 'unread', id: sent[0]!.id })).toEqual({ unread: 1 });
    expect(await bob.call.markRead({ room: 'unread', id: 0 })).toEqual({ unread: 1 });
    const listed = (await bob.call.rooms()).find((room) => room.id === 'unread');
    expect(listed).toMatchObject({ unread: 1, lastId: expect.any(Number) });
    await until(() => lobby.length === 4, 'four lobby announcements');
    expect(lobby[0]).toEqual({ kind: 'message', room: 'unread', id: sent[0]!.id, author: userOf('ada') });
    await expect(bob.call.markRead({ room: 'nowhere', id: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    sub.unsubscribe();
  });
});

describe('presence', () => {
  it('shows who is here and typing, named by their connection whatever the page says', async () => {
    const ada = server.as('ada');
    const bob = server.as('bob');
    const watch = bob.subscribe.room({ room: 'general' }, undefined, {
      presence: { name: 'bob', typing: false },
    });
    await watch.ready;
    const typing = ada.subscribe.room({ room: 'general' }, undefined, {
      presence: { name: 'the admin', typing: false },
    });
    await typing.ready;
    await typing.setPresence({ name: 'the admin', typing: true });
    const states = () => [...watch.presence.values()].map((member) => member.state);
    await until(() => states().some((state) => state?.typing), 'typing shown');
    expect(states()).toContainEqual({ name: 'ada', typing: true });
    expect(states().some((state) => state?.name === 'the admin')).toBe(false);
    typing.unsubscribe();
    watch.unsubscribe();
  });
});
