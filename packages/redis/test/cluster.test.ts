/**
 * Several sockkit server processes on one Redis behave as one: real processes on 127.0.0.1
 * (test/fixtures/node.ts, bundled by esbuild), real clients spread over them. Nodes are
 * killed by their own pid only; Redis connections are dropped with CLIENT KILL on this run's
 * own connections only.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSockkitClient } from '@sockkit/client/node';
import { type Child, findRedis, startNode } from '@sockkit/testing';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterContract } from './fixtures/contract.js';
import {
  deleteKeys,
  freePort,
  hasRedisServer,
  killClients,
  ThrowawayRedis,
  uniquePrefix,
  waitFor,
} from './helpers.js';
import { MASTER_NAME, SentinelSetup } from './sentinels.js';

const url = await findRedis();
const canSpawnRedis = await hasRedisServer();
const prefix = uniquePrefix('cluster');
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
// One bundle per run, so concurrent runs never rewrite each other's script.
const script = `${artifacts}cluster-node-${process.pid}.mjs`;

type Client = ReturnType<typeof createSockkitClient<typeof clusterContract>>;

interface Node extends Child {
  readonly port: number;
  readonly name: string;
}

const nodes: Node[] = [];
const clients: Client[] = [];

async function startCluster(
  count: number,
  env: (i: number) => Record<string, string> = () => ({}),
  redisUrl = url!,
): Promise<Node[]> {
  const started = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `n${i + 1}-${Math.random().toString(36).slice(2, 8)}`;
      // Generous: `npm test` starts these while other suites (browsers, package builds) load both cores.
      const child = await startNode([script], /listening (\d+)/, {
        env: { REDIS_URL: redisUrl, PREFIX: prefix, NODE_NAME: name, PORT: '0', ...env(i) },
        timeoutMs: 40_000,
      });
      const node = Object.assign(child, { port: Number(child.ready[1]), name });
      nodes.push(node);
      return node;
    }),
  );
  return started;
}

/** A client whose URL list starts at node `first` and goes round the others on reconnect. */
function client(
  cluster: Node[],
  first: number,
  options: { user?: string; onNotify?: (text: string) => void } = {},
) {
  const ordered = [...cluster.slice(first), ...cluster.slice(0, first)];
  const c = createSockkitClient({
    url: ordered.map((node) => `ws://127.0.0.1:${node.port}`),
    contract: clusterContract,
    params: () => ({ user: options.user }),
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    handlers: {
      confirm: ({ question }) => question.endsWith('?'),
      notify: ({ text }) => {
        options.onNotify?.(text);
        return 'ok' as const;
      },
    },
  });
  clients.push(c);
  return c;
}

/** Records what one subscription delivered. */
function watch(c: Client, room: string, name: string) {
  const seen: { epoch: string; offset: number; n: number; from: string }[] = [];
  const recovered: boolean[] = [];
  /** For each `recovered(false)`: how many messages had been delivered when it came. */
  const lostAt: number[] = [];
  const sub = c.subscribe.feed(
    { room },
    (message, info) =>
      seen.push({ epoch: info.epoch, offset: info.offset!, n: message.n, from: message.from }),
    { presence: { name } },
  );
  sub.on('recovered', (ok) => {
    recovered.push(ok);
    if (!ok) lostAt.push(seen.length);
  });
  return { sub, seen, recovered, lostAt };
}

function contiguous(offsets: number[]): boolean {
  return offsets.every((offset, i) => i === 0 || offset === offsets[i - 1]! + 1);
}

describe.skipIf(!url)('three server nodes on one Redis', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await build({
      entryPoints: [fileURLToPath(new URL('./fixtures/node.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: script,
      logLevel: 'error',
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
  });

  afterAll(async () => {
    rmSync(script, { force: true });
    await deleteKeys(url!, prefix);
  });

  it('delivers publishes from any node to every subscriber in one order, and presence is the union', async () => {
    const cluster = await startCluster(3);
    const watchers = Array.from({ length: 6 }, (_, i) => {
      const c = client(cluster, i % 3);
      return { c, ...watch(c, 'r1', `p${i}`) };
    });
    await Promise.all(watchers.map((w) => w.sub.ready));
    const nodesSeen = new Set(await Promise.all(watchers.map((w) => w.c.call.whoami().then((r) => r.node))));
    expect(nodesSeen.size).toBe(3);

    await Promise.all(
      watchers.map(async (w, i) => {
        for (let n = 1; n <= 20; n++) await w.c.publish.feed({ room: 'r1' }, { n, from: `p${i}` });
      }),
    );
    await waitFor(() => watchers.every((w) => w.seen.length === 120), 'every message everywhere', 15_000);
    const reference = watchers[0]!.seen.map((s) => `${s.from}:${s.n}`);
    for (const w of watchers) {
      expect(w.seen.map((s) => s.offset)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(w.seen.map((s) => `${s.from}:${s.n}`)).toEqual(reference);
    }
    // Per publisher, its own messages keep their order.
    for (let i = 0; i < 6; i++) {
      expect(reference.filter((r) => r.startsWith(`p${i}:`))).toEqual(
        Array.from({ length: 20 }, (_, n) => `p${i}:${n + 1}`),
      );
    }

    await waitFor(() => watchers.every((w) => w.sub.presence.size === 6), 'presence union', 10_000);
    const names = [...watchers[0]!.sub.presence.values()].map((m) => m.state.name).sort();
    expect(names).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    await watchers[4]!.c.close();
    await waitFor(
      () => watchers.every((w, i) => i === 4 || w.sub.presence.size === 5),
      'leave seen everywhere',
      10_000,
    );
  });

  it('calls a client connected to another node, and reaches a user on every node', async () => {
    const cluster = await startCluster(3);
    const target = client(cluster, 0);
    const asker = client(cluster, 2);
    const carolNotes: string[] = [];
    const carol1 = client(cluster, 0, {
      user: 'carol',
      onNotify: (text) => carolNotes.push(`1:${text}`),
    });
    const carol2 = client(cluster, 1, {
      user: 'carol',
      onNotify: (text) => carolNotes.push(`2:${text}`),
    });
    await Promise.all([target.ready(), asker.ready(), carol1.ready(), carol2.ready()]);
    expect((await target.call.whoami()).node).toBe(cluster[0]!.name);
    expect((await asker.call.whoami()).node).toBe(cluster[2]!.name);

    const conn = target.connectionId!;
    await expect(asker.call.ask({ conn, question: 'still there?' })).resolves.toEqual({ answer: true });
    await expect(asker.call.ask({ conn, question: 'no question' })).resolves.toEqual({ answer: false });
    await expect(asker.call.ask({ conn: 'nobody', question: '?' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    await expect(asker.call.notifyUser({ user: 'carol', text: 'hello' })).resolves.toEqual({ reached: 2 });
    expect(carolNotes.sort()).toEqual(['1:hello', '2:hello']);
    await expect(asker.call.notifyUser({ user: 'dave', text: 'hello' })).resolves.toEqual({ reached: 0 });
  });

  it('a node killed with SIGKILL: its clients resume on a survivor with no gap and no duplicate', async () => {
    const room = 'failover';
    // n1 only serves clients; n2 and n3 keep publishing throughout.
    const cluster = await startCluster(3, (i) => ({
      LEASE_MS: '1000',
      ...(i > 0 ? { PUBLISH_ROOM: room, PUBLISH_EVERY_MS: '5' } : {}),
    }));
    const watchers = [0, 0, 0, 1, 2].map((first, i) => ({
      first,
      ...watch(client(cluster, first), room, `w${i}`),
    }));
    await Promise.all(watchers.map((w) => w.sub.ready));
    await waitFor(() => watchers.every((w) => w.seen.length >= 30), 'traffic before the kill', 10_000);
    await waitFor(() => watchers.every((w) => w.sub.presence.size === 5), 'presence before the kill', 10_000);

    const oldConns = clients.slice(0, 3).map((c) => c.connectionId);
    await cluster[0]!.stop('SIGKILL');
    const killedAt = Math.max(...watchers.map((w) => w.seen.at(-1)!.offset));
    await waitFor(
      () => watchers.every((w) => w.seen.at(-1)!.offset >= killedAt + 100),
      'clients of the dead node caught up on a survivor',
      15_000,
    );
    for (const w of watchers) {
      const offsets = w.seen.map((s) => s.offset);
      expect(contiguous(offsets), `gap or duplicate for a client of node ${w.first + 1}`).toBe(true);
      expect(new Set(w.seen.map((s) => s.epoch)).size).toBe(1);
      expect(w.recovered.every(Boolean)).toBe(true);
    }
    // The moved clients resubscribed (recovered) and now live on a survivor.
    for (const w of watchers.slice(0, 3)) expect(w.recovered.length).toBeGreaterThanOrEqual(2);
    for (const [i, c] of clients.slice(0, 3).entries()) {
      expect(c.connectionId).not.toBe(oldConns[i]);
      expect((await c.call.whoami()).node).not.toBe(cluster[0]!.name);
    }
    // The dead node's members expire (lease 1 s, ghosts gone within 4/3 of it); the moved
    // clients are present again under their new connection ids.
    const clientsNow = () => watchers.map((_, i) => clients[i]!.connectionId).sort();
    await waitFor(
      () =>
        watchers.every(
          (w) => JSON.stringify([...w.sub.presence.keys()].sort()) === JSON.stringify(clientsNow()),
        ),
      'presence without ghosts of the dead node',
      10_000,
    );
    const names = [...watchers[3]!.sub.presence.values()].map((m) => m.state.name).sort();
    expect(names).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
  });

  it('Redis connections dropped during traffic: nodes recover by themselves and report the window', async () => {
    const room = 'outage';
    const cluster = await startCluster(3, (i) =>
      i > 0 ? { PUBLISH_ROOM: room, PUBLISH_EVERY_MS: '5' } : {},
    );
    const watchers = [0, 1, 2].map((first, i) => ({
      first,
      c: clients.length,
      ...watch(client(cluster, first), room, `o${i}`),
    }));
    await Promise.all(watchers.map((w) => w.sub.ready));
    const states: string[] = [];
    for (const c of clients) c.on('state', (s) => states.push(s));
    await waitFor(() => watchers.every((w) => w.seen.length >= 30), 'traffic before the drop', 10_000);

    const killed = await Promise.all(cluster.map((node) => killClients(url!, `${prefix}${node.name}:`)));
    expect(killed).toEqual([2, 2, 2]);
    const before = Math.max(...watchers.map((w) => w.seen.at(-1)!.offset));
    await waitFor(
      () => watchers.every((w) => w.seen.at(-1)!.offset >= before + 100),
      'traffic after the drop',
      15_000,
    );

    for (const node of cluster) {
      await waitFor(
        () => /redis down[\s\S]*redis up outage=\d+ms/.test(node.output()),
        `${node.name} reports the outage`,
      );
    }
    // The WebSocket connections stayed up throughout: no client reconnected.
    expect(states).toEqual([]);
    for (const w of watchers) {
      expect(contiguous(w.seen.map((s) => s.offset)), `gap or duplicate on node ${w.first + 1}`).toBe(true);
    }
    // Each node said whether its live delivery had a hole and whether it was filled.
    await waitFor(
      () => cluster.every((node) => /gap \{.*"cause":"reconnect"/.test(node.output())),
      'gap reports',
    );
    for (const node of cluster) {
      for (const line of node
        .output()
        .split('\n')
        .filter((l) => l.startsWith('gap '))) {
        expect(JSON.parse(line.slice(4))).toMatchObject({ recovered: true });
      }
    }
  });

  it.skipIf(!canSpawnRedis)(
    'Sentinel failover to a lagging replica during traffic: every subscriber on every node is told recovered: false',
    async () => {
      const setup = await SentinelSetup.start();
      try {
        const room = 'failover';
        const sentinels = setup.sentinels.map((sentinel) => sentinel.port).join(',');
        const cluster = await startCluster(2, (i) => ({
          SENTINELS: sentinels,
          SENTINEL_NAME: MASTER_NAME,
          ...(i === 1 ? { PUBLISH_ROOM: room, PUBLISH_EVERY_MS: '5' } : {}),
        }));
        const watchers = [0, 1, 0, 1].map((first, i) => ({
          first,
          ...watch(client(cluster, first), room, `f${i}`),
        }));
        await Promise.all(watchers.map((w) => w.sub.ready));
        await waitFor(() => watchers.every((w) => w.seen.length >= 20), 'traffic', 10_000);
        await setup.synced();
        // From here the replica gets nothing; the subscribers keep receiving from the master.
        setup.link.stall();
        const stalledAt = Math.max(...watchers.map((w) => w.seen.length));
        await waitFor(
          () => watchers.every((w) => w.seen.length >= stalledAt + 40),
          'traffic only the master has',
          10_000,
        );
        const oldEpoch = watchers[0]!.seen[0]!.epoch;

        const atKill = watchers.map((w) => w.seen.length);
        await setup.master.kill('SIGKILL');
        setup.link.cut();
        await setup.promoted();
        await waitFor(
          () => watchers.every((w, i) => w.seen.length >= atKill[i]! + 50),
          'traffic after the failover',
          20_000,
        );
        // What each subscriber saw, checked in one piece so that a failure shows all of it.
        const named = new Map<string, string>();
        const seenBy = watchers.map((w) => {
          const reused: string[] = [];
          for (const s of w.seen) {
            const key = `${s.epoch}:${s.offset}`;
            const value = `${s.from}:${s.n}`;
            if ((named.get(key) ?? value) !== value) reused.push(`${key} is ${named.get(key)} and ${value}`);
            named.set(key, value);
          }
          const firstNew = w.seen.findIndex((s) => s.epoch !== oldEpoch);
          const after = w.seen.filter((s) => s.epoch !== oldEpoch);
          return {
            node: w.first + 1,
            // One position names one message, for every subscriber.
            reused: reused.slice(0, 3),
            newEpoch: firstNew >= 0,
            // Told `recovered: false` before the first message of the new epoch.
            toldFirst: w.lostAt.length > 0 && firstNew >= 0 && w.lostAt[0]! <= firstNew,
            contiguousAfter: contiguous(after.map((s) => s.offset)),
          };
        });
        expect(seenBy).toEqual(
          watchers.map((w) => ({
            node: w.first + 1,
            reused: [],
            newEpoch: true,
            toldFirst: true,
            contiguousAfter: true,
          })),
        );
      } finally {
        await Promise.all(clients.splice(0).map((c) => c.close()));
        await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
        await setup.stop();
      }
    },
  );

  it.skipIf(!canSpawnRedis)(
    'Redis restarted empty during traffic: nodes carry on in a new epoch and say so',
    async () => {
      const room = 'restart';
      const redis = new ThrowawayRedis(await freePort());
      await redis.start();
      try {
        const cluster = await startCluster(
          3,
          (i) => ({ LEASE_MS: '1000', ...(i > 0 ? { PUBLISH_ROOM: room, PUBLISH_EVERY_MS: '5' } : {}) }),
          redis.url,
        );
        const watchers = [0, 1, 2].map((first, i) => ({
          first,
          ...watch(client(cluster, first), room, `x${i}`),
        }));
        await Promise.all(watchers.map((w) => w.sub.ready));
        const states: string[] = [];
        for (const c of clients) c.on('state', (s) => states.push(s));
        await waitFor(() => watchers.every((w) => w.seen.length >= 30), 'traffic before the restart', 10_000);
        const oldEpoch = watchers[0]!.seen[0]!.epoch;

        await redis.kill('SIGKILL');
        for (const node of cluster)
          await waitFor(() => node.output().includes('redis down'), `${node.name} down`);
        await redis.start();
        await waitFor(
          () => watchers.every((w) => w.seen.filter((s) => s.epoch !== oldEpoch).length >= 50),
          'traffic in the new epoch',
          20_000,
        );
        for (const node of cluster) {
          expect(node.output()).toMatch(/redis down[\s\S]*redis up outage=\d+ms/);
          // The lost history is reported, with the epoch it was lost from.
          const gaps = node
            .output()
            .split('\n')
            .filter((l) => l.startsWith('gap '))
            .map((l) => JSON.parse(l.slice(4)));
          expect(gaps.some((g) => g.recovered === false && g.from.epoch === oldEpoch)).toBe(true);
        }
        expect(states).toEqual([]);
        for (const w of watchers) {
          const after = w.seen.filter((s) => s.epoch !== oldEpoch);
          expect(new Set(after.map((s) => s.epoch)).size).toBe(1);
          expect(contiguous(after.map((s) => s.offset))).toBe(true);
          // Every subscriber, on every node, was told its history was lost, before the first
          // message of the new epoch.
          expect(w.recovered[0]).toBe(true);
          expect(w.lostAt.length).toBeGreaterThan(0);
          expect(w.lostAt[0]).toBeLessThanOrEqual(w.seen.findIndex((s) => s.epoch !== oldEpoch));
        }
        // Each node put its members back.
        await waitFor(() => watchers.every((w) => w.sub.presence.size === 3), 'presence re-asserted', 10_000);
      } finally {
        await Promise.all(clients.splice(0).map((c) => c.close()));
        await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
        await redis.kill();
      }
    },
  );
});
