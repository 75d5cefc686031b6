/**
 * Property: a client driven by random sequences of calls (plain, abortable, idempotent, and
 * ones during which the server calls the client back), subscribes, unsubscribes, presence
 * changes and server publishes, while a TCP proxy cuts its link at random points, ends in a
 * state that agrees with the server. Every call settles with its answer or an allowed error
 * (UNAVAILABLE when its link dropped, CANCELLED once aborted; an idempotent call is re-sent
 * and never fails); the feed subscribed from the start holds every published message once,
 * in order; and the presence a second client sees is exactly what the first one's live
 * subscriptions last set. It runs on one server, and again with the client on one of two
 * nodes sharing Redis while the feed is published on, and presence observed from, the other.
 */
import { isSockkitError } from '@sockkit/core';
import { RedisBroker } from '@sockkit/redis';
import { silentLogger } from '@sockkit/server';
import { findRedis, startProxy } from '@sockkit/testing';
import { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connect, startServer } from './fixtures.js';

const room = fc.constantFrom('a', 'b');
const name = fc.string({ minLength: 1, maxLength: 3 });
const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('call' as const), text: name }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), room, name }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unsubscribe' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('presence' as const), pick: fc.nat(), name }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('publish' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('abortable' as const),
      ms: fc.integer({ min: 5, max: 60 }),
      abortAfter: fc.integer({ min: 0, max: 60 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('idempotent' as const), ms: fc.integer({ min: 0, max: 20 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ask' as const), question: name }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 30 }) }),
  },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type TestServer = Awaited<ReturnType<typeof startServer>>;

/**
 * Runs the property with the client on `home` (through the proxy) while `other` publishes
 * the feed and hosts the observer: the same server, or another node on the same broker.
 */
async function agreeWithServer(home: TestServer, other: TestServer, numRuns: number): Promise<void> {
  const proxy = await startProxy(home.port!);
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        await using client = connect(
          { port: proxy.port },
          {
            reconnect: { initialDelayMs: 5, maxDelayMs: 40 },
            pingIntervalMs: 0,
            handlers: { confirm: ({ question }) => question.length > 0, hang: () => new Promise(() => {}) },
          },
        );
        const strange: unknown[] = [];
        client.on('error', (error) => strange.push(error));
        const feed: number[] = [];
        const news = client.subscribe.news(undefined, (m) => feed.push(m.n));
        await news.ready;
        const base = feed.length;
        let published = 0;
        const live: { room: string; sub: ReturnType<typeof client.subscribe.chat>; name: string }[] = [];
        const settled: Promise<void>[] = [];

        for (const step of ops) {
          switch (step.kind) {
            case 'call': {
              const id = settled.length;
              settled.push(
                client.call.echo({ id, text: step.text }).then(
                  (out) => {
                    if (out.id !== id || out.text !== step.text || !out.echoed) strange.push({ out, id });
                  },
                  (error: unknown) => {
                    // The link dropped under it: the server may have run it, so it fails.
                    if (!isSockkitError(error, 'UNAVAILABLE')) strange.push(error);
                  },
                ),
              );
              break;
            }
            case 'abortable': {
              // Settles with its result, CANCELLED once aborted, or UNAVAILABLE on a drop.
              const controller = new AbortController();
              setTimeout(() => controller.abort(), step.abortAfter);
              settled.push(
                client.call.slow({ ms: step.ms }, { signal: controller.signal }).then(
                  (out) => {
                    if (out !== 'done') strange.push({ out });
                  },
                  (error: unknown) => {
                    if (!isSockkitError(error, 'CANCELLED') && !isSockkitError(error, 'UNAVAILABLE'))
                      strange.push(error);
                  },
                ),
              );
              break;
            }
            case 'idempotent':
              // The contract marks `counter` idempotent: a dropped link re-sends it, never fails it.
              settled.push(
                client.call.counter({ ms: step.ms }).then(
                  (n) => {
                    if (typeof n !== 'number') strange.push({ n });
                  },
                  (error: unknown) => {
                    strange.push({ idempotent: error });
                  },
                ),
              );
              break;
            case 'ask':
              // The server calls this client back within the call.
              settled.push(
                client.call.askClient({ question: step.question }).then(
                  (answer) => {
                    if (answer !== true) strange.push({ answer });
                  },
                  (error: unknown) => {
                    if (!isSockkitError(error, 'UNAVAILABLE')) strange.push(error);
                  },
                ),
              );
              break;
            case 'subscribe': {
              if (live.some((s) => s.room === step.room)) break; // one subscription per room
              const sub = client.subscribe.chat({ room: step.room }, undefined, {
                presence: { name: step.name },
              });
              sub.on('error', (error) => strange.push({ room: step.room, error }));
              live.push({ room: step.room, sub, name: step.name });
              break;
            }
            case 'unsubscribe': {
              if (live.length === 0) break;
              const [gone] = live.splice(step.pick % live.length, 1);
              gone!.sub.unsubscribe();
              break;
            }
            case 'presence': {
              if (live.length === 0) break;
              const target = live[step.pick % live.length]!;
              target.name = step.name;
              target.sub.setPresence({ name: step.name }).catch((error: unknown) => {
                if (!isSockkitError(error, 'UNAVAILABLE')) strange.push(error);
              });
              break;
            }
            case 'publish':
              await other.publish.news(undefined, { n: base + ++published });
              break;
            case 'cut':
              proxy.cut();
              break;
            case 'wait':
              await sleep(step.ms);
              break;
          }
        }

        // Quiet: the link is back and everything sent has been answered.
        await expect.poll(() => client.state).toBe('open');
        await Promise.all(settled);
        await Promise.all(live.map((s) => s.sub.ready));
        // The property is that nothing is lost, not how fast a resumed subscription catches up:
        // one CI run under heavy load saw this poll's default 1 s run out (not reproduced since).
        await expect
          .poll(() => feed.length, { timeout: 5000, message: `feed after ${JSON.stringify(ops)}` })
          .toBe(base + published);
        expect(feed.slice(base)).toEqual(Array.from({ length: published }, (_, i) => base + i + 1));

        // What a second client sees of presence is what the live subscriptions last set.
        await using observer = connect(other);
        for (const r of ['a', 'b']) {
          const watch = observer.subscribe.chat({ room: r });
          await watch.ready;
          const expected = live.filter((s) => s.room === r).map((s) => s.name);
          await expect.poll(() => [...watch.presence.values()].map((m) => m.state.name)).toEqual(expected);
          watch.unsubscribe();
        }
        expect(strange).toEqual([]);
        news.unsubscribe();
        for (const s of live) s.sub.unsubscribe();
      }),
      { numRuns },
    );
  } finally {
    await proxy.close();
  }
}

describe('a client under random operations and dropped links', () => {
  it('ends in agreement with the server', async () => {
    await using server = await startServer();
    await agreeWithServer(server, server, 40);
  }, 120_000);
});

const redisUrl = await findRedis();
describe.skipIf(!redisUrl)('a client under random operations, on one of two nodes sharing Redis', () => {
  it('ends in agreement with the other node', async () => {
    const prefix = uniquePrefix('model');
    const node = (name: string) =>
      new RedisBroker({ url: redisUrl!, prefix, node: name, logger: silentLogger });
    const [a, b] = [node('a'), node('b')];
    try {
      await Promise.all([a.ready(), b.ready()]);
      await using home = await startServer({ broker: a });
      await using other = await startServer({ broker: b });
      await agreeWithServer(home, other, 20);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await deleteKeys(redisUrl!, prefix);
    }
  }, 120_000);
});
