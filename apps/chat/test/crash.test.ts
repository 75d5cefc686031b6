/**
 * Durable before confirmed: the server (a child process) is killed with SIGKILL while pages
 * send, and every message it confirmed is in the database after a restart, once.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectAs, tempDir } from './people.js';
import { spawnChat } from './spawn.js';

// Two server processes started one after the other: on two cores busy with the other suites
// a run has taken over 20 s.
describe('SIGKILL while sending', { timeout: 90_000 }, () => {
  it('loses no confirmed message and stores none twice', async () => {
    const dbPath = join(tempDir('crash'), 'chat.sqlite');
    const first = await spawnChat(dbPath);
    const client = connectAs(first.url, 'ada', { offline: 'reject' });
    await client.ready();
    const confirmed = new Set<number>();
    let killed = false;
    const writers = [0, 1, 2, 3].map(async (writer) => {
      for (let i = 0; !killed && i < 1000; i++) {
        try {
          const message = await client.call.send(
            { room: 'general', key: `crash-${writer}-${i}-k`, text: `w${writer} #${i}` },
            { timeout: 3000 },
          );
          confirmed.add(message.id);
          if (confirmed.size === 100) {
            killed = true;
            await first.child.stop('SIGKILL');
          }
        } catch {
          return; // the link went down with the server
        }
      }
    });
    await Promise.all(writers);
    client.close();
    expect(killed).toBe(true);

    const second = await spawnChat(dbPath);
    const reader = connectAs(second.url, 'ada');
    const held = new Map<number, string>();
    let before: number | undefined;
    for (;;) {
      const page = await reader.call.history({ room: 'general', limit: 100, ...(before ? { before } : {}) });
      for (const message of page.messages) held.set(message.id, message.key);
      if (!page.more) break;
      before = page.messages[0]!.id;
    }
    for (const id of confirmed) expect(held.has(id), `message ${id}`).toBe(true);
    expect(new Set(held.values()).size).toBe(held.size);
    reader.close();
    await second.child.stop('SIGTERM');
  });
});
