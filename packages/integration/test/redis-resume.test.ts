/**
 * A resume on a RedisBroker node while the channel is being published on, seen on the wire:
 * raw ws clients send `sub` with `from` to node A while node B publishes as fast as it can,
 * and every `msg` frame node A sends on the channel is recorded before any client could
 * deduplicate it. The documented seam is "offsets strictly above the last one sent": each
 * resume must continue at `from.offset + 1` and go up by one, with no offset twice. It is
 * checked with Redis steady, and while node A's pub/sub connection is being restored (its
 * history reads still work, its live delivery is behind and will be filled).
 */
import { RedisBroker } from '@sockkit/redis';
import { silentLogger } from '@sockkit/server';
import { findRedis } from '@sockkit/testing';
import { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';
import { describe, expect, it } from 'vitest';
import { rawSocket, startServer } from './fixtures.js';

const redisUrl = await findRedis();

/**
 * Checks the `news` frames a raw socket got against the seam: each offset strictly above the
 * last one sent (the resume point first), and none skipped.
 */
function check(messages: Record<string, unknown>[], from: number): { count: number; problem?: string } {
  const seen = messages.filter((m) => m.t === 'msg' && m.c === 'news').map((m) => m.o as number);
  let last = from;
  let repeated = 0;
  let skipped = 0;
  for (const offset of seen) {
    if (offset <= last) repeated++;
    else {
      if (offset !== last + 1) skipped++;
      last = offset;
    }
  }
  if (repeated === 0 && skipped === 0) return { count: seen.length };
  const at = seen.findIndex((o, i) => o !== from + 1 + i);
  return {
    count: seen.length,
    problem: `from ${from}: ${repeated} frames not above the last offset sent, ${skipped} holes; sent …${seen.slice(Math.max(0, at - 3), at + 6).join(',')}…`,
  };
}

describe.skipIf(!redisUrl)('resume on a Redis node while messages are published', () => {
  async function scenario(
    round: (ctx: { a: RedisBroker; b: RedisBroker; home: { port: number | undefined } }) => Promise<void>,
    resume: (ctx: { a: RedisBroker }) => Promise<void>,
  ): Promise<void> {
    const prefix = uniquePrefix('resume');
    const node = (name: string) =>
      new RedisBroker({
        url: redisUrl!,
        prefix,
        node: name,
        logger: silentLogger,
        reconnectDelay: () => 100,
      });
    const [a, b] = [node('a'), node('b')];
    try {
      await Promise.all([a.ready(), b.ready()]);
      await using home = await startServer({ broker: a });
      await using other = await startServer({ broker: b });
      for (let n = 1; n <= 20; n++) await other.publish.news(undefined, { n });
      const { epoch } = await b.position('news');
      // A subscriber that stays: node A keeps watching the channel between resumes.
      await using watcher = await rawSocket(home);
      watcher.send('{"t":"sub","id":1,"topic":"news"}');
      const first = await watcher.next((m) => m.t === 'subscribed');

      // Node B publishes steadily (bounded in count; slow enough that an outage window stays
      // well inside the 1,000 messages of history) while node A serves the resumes.
      let publishing = true;
      let published = 20;
      const publisher = (async () => {
        while (publishing && published < 20_000) {
          await Promise.all(
            Array.from({ length: 4 }, () => other.publish.news(undefined, { n: ++published })),
          );
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();

      const problems: string[] = [];
      let frames = 0;
      const ROUNDS = 6;
      try {
        for (let r = 0; r < ROUNDS; r++) {
          await round({ a, b, home });
          await using ws = await rawSocket(home);
          // Resume a little behind the head, so the replay overlaps live publishes.
          const from = Math.max(0, (await b.position('news')).offset - 5);
          ws.send(JSON.stringify({ t: 'sub', id: 1, topic: 'news', from: { epoch, offset: from } }));
          const subscribed = await ws.next((m) => m.t === 'subscribed' || m.t === 'error');
          expect(subscribed).toMatchObject({ t: 'subscribed', recovered: true, epoch, offset: from });
          await resume({ a });
          // Live for a while: at least 40 messages past the head read before the resume.
          const target = (await b.position('news')).offset + 40;
          await expect
            .poll(() => ws.messages.some((m) => m.t === 'msg' && (m.o as number) >= target), {
              timeout: 15_000,
            })
            .toBe(true);
          const result = check(ws.messages, from);
          frames += result.count;
          if (result.problem) problems.push(result.problem);
        }
      } finally {
        publishing = false;
        await publisher;
      }
      expect(frames).toBeGreaterThan(ROUNDS * 40);
      expect(problems).toEqual([]);
      // The subscriber that stayed through it all saw every offset once.
      expect(check(watcher.messages, first.offset as number).problem).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await deleteKeys(redisUrl!, prefix);
    }
  }

  it('steady Redis: each offset once, strictly increasing from the resume point', async () => {
    await scenario(
      async () => {},
      async () => {},
    );
  }, 90_000);

  it('pub/sub connection being restored: each offset once, strictly increasing from the resume point', async () => {
    await scenario(
      async ({ a }) => {
        // Cut node A's subscriber connection only (server-side, as a network drop or a full
        // output buffer would): its commands still work, its live delivery stops until the
        // link is back and the missed window is read from history.
        const list = (await a.link.commands.client('LIST')) as string;
        const name = `${a.link.prefix}${a.link.node}:sub`;
        const id = list
          .split('\n')
          .find((line) => line.includes(` name=${name} `))
          ?.match(/(?:^| )id=(\d+)/)?.[1];
        expect(id).toBeDefined();
        await a.link.commands.client('KILL', 'ID', id!);
        await expect.poll(() => a.status).toBe('down');
        // Let the window grow while live delivery is cut.
        await new Promise((resolve) => setTimeout(resolve, 30));
      },
      async ({ a }) => {
        await a.ready();
      },
    );
  }, 90_000);
});
