/**
 * Fault tests with real processes and real sockets, all on 127.0.0.1 and bounded: a server
 * killed with SIGKILL and restarted, a TCP proxy that cuts and stalls links, and a thousand
 * clients reconnecting at once.
 */
import { fileURLToPath } from 'node:url';
import { createSockkitClient } from '@sockkit/client/node';
import { type Clock, systemClock } from '@sockkit/core';
import { type Child, startNode, startProxy } from '@sockkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { faultContract } from '../fixtures/fault-contract.mjs';

const script = fileURLToPath(new URL('../fixtures/fault-server.mjs', import.meta.url));
const children: Child[] = [];

async function startServerProcess(env: Record<string, string>): Promise<Child & { port: number }> {
  const child = await startNode([script], /listening (\d+)/, { env });
  children.push(child);
  return Object.assign(child, { port: Number(child.ready[1]) });
}

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop('SIGKILL')));
});

const until = (predicate: () => boolean, timeout = 20_000) =>
  expect.poll(predicate, { timeout, interval: 20 }).toBe(true);

function client(port: number, options: Record<string, unknown> = {}) {
  return createSockkitClient({
    url: `ws://127.0.0.1:${port}`,
    contract: faultContract,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    ...options,
  });
}

describe('server killed with SIGKILL and restarted on the same port', () => {
  it('clients reconnect by themselves and resubscribe; the lost history is reported as recovered: false', async () => {
    const first = await startServerProcess({ PORT: '0', PUBLISH_EVERY_MS: '5' });
    const c = client(first.port);
    const seen: { epoch: string; n: number }[] = [];
    const recovered: boolean[] = [];
    const sub = c.subscribe.feed(undefined, (m, info) => seen.push({ epoch: info.epoch, n: m.n }));
    sub.on('recovered', (ok) => recovered.push(ok));
    await sub.ready;
    await until(() => seen.length >= 20);
    await first.stop('SIGKILL');
    await until(() => c.state === 'reconnecting');
    await startServerProcess({ PORT: String(first.port), PUBLISH_EVERY_MS: '5' });
    await until(() => seen.some((s) => s.epoch !== seen[0]!.epoch && s.n >= 20));
    // First subscribe, then the resubscribe after the restart, which could not recover.
    expect(recovered).toEqual([true, false]);
    const before = seen.filter((s) => s.epoch === seen[0]!.epoch).map((s) => s.n);
    const after = seen.filter((s) => s.epoch !== seen[0]!.epoch).map((s) => s.n);
    expect(before).toEqual(before.map((_, i) => before[0]! + i));
    // After a new epoch the client continues from wherever the new history stands, in order.
    expect(after).toEqual(after.map((_, i) => after[0]! + i));
    await c.close();
  });
});

describe('links cut and stalled by a TCP proxy', () => {
  it('loses no acknowledged message, duplicates none, keeps per-topic order, and replays what was missed', async () => {
    const total = 1500;
    const server = await startServerProcess({
      PORT: '0',
      PUBLISH_EVERY_MS: '2',
      PUBLISH_COUNT: String(total),
    });
    const proxy = await startProxy(server.port);
    const viaProxy = client(proxy.port, { pingIntervalMs: 200, pingTimeoutMs: 300 });
    const direct = client(server.port);
    const feed: number[] = [];
    const acks: number[] = [];
    await viaProxy.subscribe.feed(undefined, (m) => feed.push(m.n)).ready;
    await direct.subscribe.acks(undefined, (m) => acks.push(m.m)).ready;
    // Publishes through the faulty link, each awaited: acknowledged ones must arrive exactly once.
    const acknowledged: number[] = [];
    const failed: number[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let m = 1; publishing && m <= 2000; m++) {
        try {
          await viaProxy.publish.acks(undefined, { m }, { timeout: 2000 });
          acknowledged.push(m);
        } catch {
          failed.push(m);
        }
      }
    })();
    await until(() => feed.length > 200);
    proxy.cut();
    await until(() => viaProxy.state === 'open' && feed.length > 500);
    // Dead link: only the client's ping timeout can notice. New links flow at once, so the
    // client may be open again before a poll would see 'reconnecting': record the transitions.
    const states: string[] = [];
    const stopRecording = viaProxy.on('state', (state) => states.push(state));
    proxy.stall();
    await until(() => states.includes('reconnecting'));
    stopRecording();
    proxy.resume();
    await until(() => viaProxy.state === 'open' && feed.length > 900);
    proxy.cut();
    await until(() => feed.at(-1) === total, 30_000);
    publishing = false;
    await publisher;
    // Every message from the first one this subscriber saw to the last, once each, in order.
    expect(feed).toEqual(Array.from({ length: total - feed[0]! + 1 }, (_, i) => feed[0]! + i));
    await until(() => acknowledged.every((m) => acks.includes(m)));
    expect(new Set(acks).size).toBe(acks.length);
    expect(acks).toEqual([...acks].sort((a, b) => a - b));
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(proxy.accepted).toBeGreaterThanOrEqual(4);
    await Promise.all([viaProxy.close(), direct.close()]);
    await proxy.close();
  }, 90_000);
});

describe('a thousand clients reconnecting at once', () => {
  it('all get back after a restart behind a load balancer, spread out by jitter', async () => {
    const first = await startServerProcess({ PORT: '0' });
    const balancer = await startProxy(first.port);
    // Each client's clock records the delay it schedules for its first reconnect attempt.
    const firstDelays: number[] = [];
    const clients = Array.from({ length: 1000 }, () => {
      let dropped = false;
      const clock: Clock = {
        ...systemClock,
        setTimeout(callback, ms) {
          if (dropped && firstDelays.length < 1000) {
            firstDelays.push(ms);
            dropped = false;
          }
          return systemClock.setTimeout(callback, ms);
        },
      };
      const c = client(balancer.port, {
        reconnect: { initialDelayMs: 2000, maxDelayMs: 4000 },
        pingIntervalMs: 0,
        clock,
      });
      // 'reconnecting' is emitted just before the reconnect timer is set.
      c.on('state', (state) => {
        if (state === 'reconnecting') dropped = true;
      });
      return c;
    });
    await Promise.all(clients.map((c) => c.ready()));
    const reopened: number[] = [];
    let start = 0;
    for (const c of clients) {
      c.on('state', (state) => {
        if (state === 'reconnecting' && start === 0) start = performance.now();
        if (state === 'open') reopened.push(performance.now() - start);
      });
    }
    // A deploy: the new process is up, the old one is killed, every link drops at once.
    const second = await startServerProcess({ PORT: '0' });
    balancer.retarget(second.port);
    await first.stop('SIGKILL');
    await until(() => reopened.length === 1000, 60_000);
    await Promise.all(clients.map((c) => c.call.echo({ n: 1 })));
    // The spread of the first attempts: without jitter every client would wait the same
    // 2,000 ms; with it no 100 ms window holds a quarter of them. (When they arrive also
    // depends on how busy this machine is, so arrivals are printed, not asserted: a stall
    // of the test process bunches timers that expired during it.)
    const windowsOf = (times: number[]) => {
      const windows = new Map<number, number>();
      for (const t of times) windows.set(Math.floor(t / 100), (windows.get(Math.floor(t / 100)) ?? 0) + 1);
      return windows;
    };
    const histogram = (windows: Map<number, number>) =>
      [...windows.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([w, n]) => `${w}:${n}`)
        .join(' ');
    console.log('reconnects per 100 ms window:', histogram(windowsOf(reopened)));
    expect(firstDelays).toHaveLength(1000);
    const scheduled = windowsOf(firstDelays);
    expect(Math.max(...scheduled.values()), histogram(scheduled)).toBeLessThan(250);
    expect(scheduled.size).toBeGreaterThanOrEqual(8);
    await Promise.all(clients.map((c) => c.close()));
    await balancer.close();
  }, 90_000);
});
