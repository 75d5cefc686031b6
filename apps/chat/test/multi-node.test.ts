/**
 * Several nodes (`REDIS_URL`): two chat server processes on one Redis (a key prefix of their
 * own) and one SQLite file. A message and its edit sent on one node reach a reader on the
 * other through the topic alone; presence and the lobby cross too.
 */
import { join } from 'node:path';
import { type Child, findRedis } from '@sockkit/testing';
import { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/contract.js';
import { connectAs, tempDir, userOf } from './people.js';
import { spawnChat } from './spawn.js';

const redisUrl = await findRedis();

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!redisUrl)('two nodes on one Redis', () => {
  const dir = tempDir('nodes');
  const prefix = uniquePrefix('chat');
  const children: Child[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const node = await spawnChat(join(dir, 'chat.sqlite'), {
        REDIS_URL: redisUrl!,
        CHAT_REDIS_PREFIX: prefix,
      });
      children.push(node.child);
      urls.push(node.url);
    }
  }, 60_000);

  afterAll(async () => {
    for (const child of children) await child.stop('SIGTERM');
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it('carries a message, its edit and its removal from one node to a reader on the other', async () => {
    const [a, b] = urls as [string, string];
    const ada = connectAs(a, 'ada');
    const bob = connectAs(b, 'bob');
    const seen: ChatMessage[] = [];
    const lobby: unknown[] = [];
    const room = bob.subscribe.room({ room: 'general' }, ({ message }) => seen.push(message), {
      presence: { name: 'bob', typing: false },
    });
    const hall = bob.subscribe.lobby(undefined, (message) => lobby.push(message));
    await Promise.all([room.ready, hall.ready]);
    const adaRoom = ada.subscribe.room({ room: 'general' }, undefined, {
      presence: { name: 'ada', typing: true },
    });
    await adaRoom.ready;

    const sent = await ada.call.send({ room: 'general', key: 'across-nodes-1', text: 'hello from node A' });
    await until(() => seen.some((m) => m.id === sent.id), 'the message on node B');
    const edited = await ada.call.edit({ id: sent.id, text: 'edited on node A' });
    await until(() => seen.some((m) => m.rev === edited.rev), 'the edit on node B');
    expect(seen.find((m) => m.rev === edited.rev)).toEqual(edited);
    await ada.call.remove({ id: sent.id });
    await until(() => seen.some((m) => m.id === sent.id && m.deleted), 'the removal on node B');

    // Bob reads it from his node's view of the shared file, and sees Ada typing on the other node.
    expect((await bob.call.history({ room: 'general' })).messages.map((m) => m.id)).toContain(sent.id);
    const here = () => [...room.presence.values()].map((member) => member.state);
    await until(
      () => here().some((state) => state?.name === 'ada' && state.typing),
      'ada typing, across nodes',
    );
    await until(() => lobby.length > 0, 'the lobby across nodes');
    expect(lobby[0]).toEqual({ kind: 'message', room: 'general', id: sent.id, author: userOf('ada') });

    // A room made on node B reaches node A's lobby.
    const adaLobby: unknown[] = [];
    const adaHall = ada.subscribe.lobby(undefined, (message) => adaLobby.push(message));
    await adaHall.ready;
    const made = await bob.call.createRoom({ name: 'made on b' });
    await until(() => adaLobby.length === 1, 'the new room on node A');
    expect(adaLobby[0]).toEqual({ kind: 'room', room: made });
    ada.close();
    bob.close();
  });
});
