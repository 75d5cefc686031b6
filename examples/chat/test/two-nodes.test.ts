/**
 * Two chat nodes on one real Redis behave as one chat: messages, history, presence and kicks
 * cross from one node to the other. Keys live under a prefix of this run, deleted afterwards.
 */
import { findRedis } from '@sockkit/testing';
import { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatNode, chatClient, login, startChat } from './chat.js';

const redisUrl = await findRedis();

describe.skipIf(!redisUrl)('two nodes on Redis', () => {
  const prefix = uniquePrefix('example-chat');
  let a: ChatNode;
  let b: ChatNode;

  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl!, REDIS_PREFIX: prefix };
    [a, b] = await Promise.all([startChat(env), startChat(env)]);
  });

  afterAll(async () => {
    await Promise.all([a?.child.stop(), b?.child.stop()]);
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it('a message published on one node reaches the other, stamped; a late joiner there gets the history', async () => {
    await using ada = chatClient(a, await login(a, 'ada'));
    await using bob = chatClient(b, await login(b, 'bob'));
    const got: string[] = [];
    await bob.subscribe.room({ room: 'lobby' }, (m) => got.push(`${m.author}: ${m.text}`)).ready;
    for (let i = 1; i <= 55; i++) await ada.publish.room({ room: 'lobby' }, { text: `m${i}` });
    await expect.poll(() => got.length).toBe(55);
    expect(got.at(-1)).toBe('ada: m55');

    await using carol = chatClient(b, await login(b, 'carol'));
    const history: string[] = [];
    await carol.subscribe.room({ room: 'lobby' }, (m) => history.push(m.text), { history: 50 }).ready;
    await expect.poll(() => history.length).toBe(50);
    expect(history).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 6}`));
  });

  it('presence is the union of both nodes, typing included', async () => {
    await using ada = chatClient(a, await login(a, 'ada'));
    await using bob = chatClient(b, await login(b, 'bob'));
    const room = ada.subscribe.room({ room: 'both' }, undefined, {
      presence: { name: 'ada', typing: false },
    });
    await room.ready;
    const bobs = bob.subscribe.room({ room: 'both' }, undefined, {
      presence: { name: 'bob', typing: false },
    });
    await bobs.ready;
    await bobs.setPresence({ name: 'someone else', typing: true });
    const states = () =>
      [...room.presence.values()]
        .map((m) => `${m.user}=${m.state.name}${m.state.typing ? ' typing' : ''}`)
        .sort();
    await expect.poll(states).toEqual(['ada=ada', 'bob=bob typing']);
  });

  it('an admin on one node kicks a user whose tabs are on both nodes', async () => {
    await using admin = chatClient(a, await login(a, 'admin'));
    const token = await login(a, 'dave');
    await using onA = chatClient(a, token);
    await using onB = chatClient(b, token);
    await Promise.all([onA.ready(), onB.ready()]);
    expect(await admin.call.kick({ name: 'dave', reason: 'spam' })).toEqual({ closed: 2 });
    for (const tab of [onA, onB]) {
      await expect.poll(() => tab.state).toBe('closed');
      expect(tab.errors.map((e) => [e.details?.closeCode, e.message])).toEqual([
        [4006, 'kicked by admin: spam'],
      ]);
    }
  });

  it('a node shut down with SIGTERM sends its clients to the other node, which knows them', async () => {
    const spare = await startChat({ REDIS_URL: redisUrl!, REDIS_PREFIX: prefix });
    const token = await login(spare, 'erin');
    // One client knowing both nodes' URLs, as behind a load balancer: it goes round them.
    await using erin = chatClient(spare, token, { urls: [spare, b] });
    await using ada = chatClient(b, await login(b, 'ada'));
    const got: string[] = [];
    await erin.subscribe.room({ room: 'failover' }, (m) => got.push(m.text)).ready;
    await ada.publish.room({ room: 'failover' }, { text: 'before' });
    await expect.poll(() => got).toEqual(['before']);
    await spare.child.stop('SIGTERM');
    expect(spare.child.process.exitCode).toBe(0);
    await ada.publish.room({ room: 'failover' }, { text: 'while away' });
    await expect.poll(() => erin.state).toBe('open');
    await ada.publish.room({ room: 'failover' }, { text: 'after' });
    // Resumed from its offset on the other node: nothing missed, nothing twice.
    await expect.poll(() => got).toEqual(['before', 'while away', 'after']);
    expect(erin.errors).toEqual([]);
  });
});
