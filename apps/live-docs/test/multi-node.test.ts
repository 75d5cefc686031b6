/**
 * Several nodes (`REDIS_URL`): two live-docs server processes on one Redis and one SQLite
 * file, as the README describes. Edits made on one node reach editors on the other through
 * the Redis broker, concurrent edits on both converge, and presence is the union of both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSockkitClient } from '@sockkit/client/node';
import { type Child, findRedis } from '@sockkit/testing';
import { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import { spawnLiveDocs } from './app-fixture.js';
import { tokenOf } from './people.js';
import { SocketEditor, until } from './socket-editor.js';

const redisUrl = await findRedis();

describe.skipIf(!redisUrl)('two nodes on one Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'live-docs-nodes-'));
  const prefix = uniquePrefix('live-docs');
  const children: Child[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const { child, url } = await spawnLiveDocs(join(dir, 'db.sqlite'), {
        REDIS_URL: redisUrl!,
        LIVE_DOCS_REDIS_PREFIX: prefix,
      });
      children.push(child);
      urls.push(url);
    }
  }, 60_000);

  afterAll(async () => {
    for (const child of children) await child.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  const saved = (editor: SocketEditor) => editor.sync.unconfirmed === 0 && editor.sync.status === 'saved';
  const connect = async (url: string, user: string) => {
    const client = createSockkitClient({
      url,
      contract,
      params: () => ({ token: tokenOf(user), name: user }),
      offline: 'reject',
      reconnect: false,
    });
    await client.ready();
    return client;
  };

  it('carries edits across nodes and converges under concurrent typing', async () => {
    const [a, b] = urls as [string, string];
    const setup = await connect(a, 'setup');
    const { id } = await setup.call.createDoc({ title: 'two nodes' });
    const { token } = await setup.call.createLink({ id, role: 'editor' });
    await setup.close();

    const alice = await SocketEditor.open(a, id, 'alice', token);
    const bob = await SocketEditor.open(b, id, 'bob', token);
    try {
      // Bob never pushes here, so he can only learn Alice's edits from the topic, via Redis.
      for (let i = 0; i < 20; i++) {
        alice.edit(1, 0, `a${i} `);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await until(() => saved(alice) && bob.text === alice.text, 'bob to get the edits alice made');
      expect(bob.text).toContain('a19 ');

      for (let i = 0; i < 40; i++) {
        // At either end of the text, so that no marker lands inside another.
        alice.edit(i % 2, 0, `[A${i}]`);
        bob.edit((i + 1) % 2, 0, `[B${i}]`);
        if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
      }
      await until(
        () => saved(alice) && saved(bob) && alice.text === bob.text,
        'both editors to converge',
        30_000,
      );
      for (let i = 0; i < 40; i++) {
        expect(alice.text).toContain(`[A${i}]`);
        expect(alice.text).toContain(`[B${i}]`);
      }
      expect(alice.fatal).toEqual([]);
      expect(bob.fatal).toEqual([]);

      // The store both nodes share holds the converged text.
      const reader = await connect(b, 'setup');
      const opened = await reader.call.openDoc({ id });
      expect(opened.text).toBe(alice.text);
      await reader.close();
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 60_000);

  it('shows people on both nodes in presence', async () => {
    const [a, b] = urls as [string, string];
    const setup = await connect(a, 'setup');
    const { id } = await setup.call.createDoc({ title: 'presence' });
    const { token } = await setup.call.createLink({ id, role: 'viewer' });
    await setup.close();
    const left = await connect(a, 'left');
    const right = await connect(b, 'right');
    await left.call.joinDoc({ id, token });
    await right.call.joinDoc({ id, token });
    const person = (name: string) => ({ name, color: '#336699', clientID: name });
    const onA = left.subscribe.doc({ id }, undefined, { presence: person('Left') });
    const onB = right.subscribe.doc({ id }, undefined, { presence: person('Right') });
    await Promise.all([onA.ready, onB.ready]);
    const names = (sub: typeof onA) => [...sub.presence.values()].map((m) => m.state.name).sort();
    await expect.poll(() => names(onA), { timeout: 10_000 }).toEqual(['Left', 'Right']);
    await expect.poll(() => names(onB), { timeout: 10_000 }).toEqual(['Left', 'Right']);
    await right.close();
    await expect.poll(() => names(onA), { timeout: 10_000 }).toEqual(['Left']);
    await left.close();
  }, 30_000);
});
