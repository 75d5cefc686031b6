/**
 * The client rides through dropped links by itself: backoff with full jitter driven by a
 * manual clock (no wall-clock waits or asserts), queued and in-flight calls, re-auth and
 * resubscription with presence restored.
 */
import type { SocketConstructor } from '@sockkit/client';
import { ManualClock } from '@sockkit/testing';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, counter, startServer } from './fixtures.js';

/** A port nothing listens on: connects fail at once with ECONNREFUSED. */
async function deadPort(): Promise<number> {
  const server = await startServer();
  const port = server.port!;
  await server.close();
  return port;
}

const until = (predicate: () => boolean) => expect.poll(predicate, { timeout: 5000 }).toBe(true);

describe('reconnect backoff', () => {
  it('waits full-jitter exponential delays between attempts, capped at maxDelayMs', async () => {
    const clock = new ManualClock();
    const port = await deadPort();
    await using client = connect(
      { port },
      {
        clock,
        random: () => 0.5,
        reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      },
    );
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      await until(() => clock.pending().length === 1);
      delays.push(clock.pending()[0]!);
      clock.advance(clock.pending()[0]!);
    }
    // random 0.5 of min(1000, 100·2^n)
    expect(delays).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect(client.state).toBe('reconnecting');
  });

  it('gives up after maxAttempts: state closed, queued calls fail with UNAVAILABLE', async () => {
    const clock = new ManualClock();
    const port = await deadPort();
    await using client = connect({ port }, { clock, random: () => 0, reconnect: { maxAttempts: 2 } });
    const call = client.call.echo({ id: 1, text: 'queued' }).catch((e: unknown) => e);
    for (let i = 0; i < 2; i++) {
      // The reconnect timer (delay 0 with random 0), beside the queued call's 30 s timeout.
      await until(() => clock.pending().includes(0));
      clock.advance(0);
    }
    await until(() => client.state === 'closed');
    expect(await call).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('spreads the delays of many clients uniformly (full jitter)', async () => {
    const { reconnectDelay } = await import('@sockkit/client');
    const policy = {
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      maxAttempts: Number.POSITIVE_INFINITY,
      stableAfterMs: 5000,
    };
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 1000 }, () => reconnectDelay(policy, 0, random));
    const buckets = [0, 0, 0, 0, 0];
    for (const d of delays) buckets[Math.floor(d / 200)]!++;
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(1000);
    for (const b of buckets) expect(b).toBeGreaterThan(150);
  });

  it('resets the attempt count after a stable connection, and close() stops reconnecting', async () => {
    const clock = new ManualClock();
    await using server = await startServer();
    const client = connect(server, {
      clock,
      random: () => 0.5,
      reconnect: { initialDelayMs: 100, maxDelayMs: 10_000, stableAfterMs: 5000 },
    });
    await client.ready();
    // An open connection holds one timer, the heartbeat's: the backoff reset is a timestamp
    // read when the link drops, not a timer per connection.
    expect(clock.pending()).toEqual([25_000]);
    const drop = async () => {
      server.connections.get(client.connectionId!)!.close(1012);
      await until(() => client.state === 'reconnecting');
      const delay = clock.pending().find((d) => d <= 10_000)!;
      clock.advance(delay);
      await until(() => client.state === 'open');
      return delay;
    };
    expect(await drop()).toBe(50);
    expect(await drop()).toBe(100);
    clock.advance(5000);
    expect(await drop()).toBe(50);
    server.connections.get(client.connectionId!)!.close(1012);
    await until(() => client.state === 'reconnecting');
    await client.close();
    expect(client.state).toBe('closed');
    expect(clock.pending()).toEqual([]);
  });
});

describe('opening', () => {
  it('a client closed in the turn it was made opens no socket (a UI framework mounting twice)', async () => {
    await using server = await startServer();
    let sockets = 0;
    const Counted = class extends WebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols);
        sockets++;
      }
    } as unknown as SocketConstructor;
    const client = connect(server, { WebSocket: Counted });
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sockets).toBe(0);
    expect(client.state).toBe('closed');
    await using used = connect(server, { WebSocket: Counted });
    await used.ready();
    expect(sockets).toBe(1);
  });
});

describe('waking up', () => {
  it('reconnects at once, skipping the backoff wait, when the browser comes back online or the tab is visible', async () => {
    // Node has no window: stand in for its `online` and `visibilitychange` events.
    const windowEvents = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const g = globalThis as unknown as Record<string, unknown>;
    g.addEventListener = windowEvents.addEventListener.bind(windowEvents);
    g.removeEventListener = windowEvents.removeEventListener.bind(windowEvents);
    g.document = doc;
    try {
      const clock = new ManualClock();
      await using server = await startServer();
      await using client = connect(server, {
        clock,
        random: () => 0.99,
        reconnect: { initialDelayMs: 60_000, maxDelayMs: 120_000 },
      });
      await client.ready();
      for (const wake of [
        () => windowEvents.dispatchEvent(new Event('online')),
        () => doc.dispatchEvent(new Event('visibilitychange')),
      ]) {
        server.connections.get(client.connectionId!)!.close(1012);
        await until(() => client.state === 'reconnecting');
        expect(clock.pending().some((d) => d > 50_000)).toBe(true); // a long backoff wait is pending
        wake();
        await until(() => client.state === 'open');
      }
    } finally {
      delete g.addEventListener;
      delete g.removeEventListener;
      delete g.document;
    }
  });
});

describe('calls across a dropped link', () => {
  it('queues calls made while disconnected and sends them once connected', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await client.ready();
    const states: string[] = [];
    client.on('state', (s) => states.push(s));
    server.connections.get(client.connectionId!)!.close(1012);
    await until(() => states.includes('reconnecting'));
    const results = await Promise.all([
      client.call.echo({ id: 1, text: 'a' }),
      client.call.echo({ id: 2, text: 'b' }),
    ]);
    expect(results.map((r) => r.id)).toEqual([1, 2]);
  });

  it("rejects fast with UNAVAILABLE when offline: 'reject'", async () => {
    const port = await deadPort();
    await using client = connect({ port }, { offline: 'reject' });
    await expect(client.call.echo({ id: 1, text: 'x' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('bounds the offline queue, and each queued call keeps its own timeout and signal', async () => {
    const clock = new ManualClock();
    const port = await deadPort();
    await using client = connect({ port }, { clock, maxQueued: 2 });
    const controller = new AbortController();
    const first = client.call.echo({ id: 1, text: 'x' }, { timeout: 1000 });
    const second = client.call.echo({ id: 2, text: 'y' }, { signal: controller.signal, timeout: 0 });
    await expect(client.call.echo({ id: 3, text: 'z' })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    clock.advance(1000);
    await expect(first).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('fails calls in flight with UNAVAILABLE when the link drops, but re-sends idempotent ones', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await client.ready();
    counter.value = 0;
    const plain = client.call.slow({ ms: 300 });
    const idempotent = client.call.counter({ ms: 300 });
    const conn = server.connections.get(client.connectionId!) as unknown as { callsInFlight: number };
    await until(() => conn.callsInFlight === 2);
    server.connections.get(client.connectionId!)!.close(1012);
    await expect(plain).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // The first run was cut off with the link; the re-sent call answers.
    await expect(idempotent).resolves.toBeGreaterThanOrEqual(1);
  });
});

describe('session state across reconnects', () => {
  it('calls the params provider again on every reconnect', async () => {
    const seen: unknown[] = [];
    await using server = await startServer({
      authenticate: ({ params }) => {
        seen.push(params);
        return { context: { user: null } };
      },
    });
    let version = 1;
    await using client = connect(server, { params: () => ({ token: `t${version++}` }) });
    await client.ready();
    server.connections.get(client.connectionId!)!.close(1012);
    await until(() => seen.length === 2 && client.state === 'open');
    expect(seen).toEqual([{ token: 't1' }, { token: 't2' }]);
  });

  it('resubscribes and restores presence after a reconnect', async () => {
    await using server = await startServer();
    await using watcher = connect(server);
    await using member = connect(server, { params: () => ({ token: 'm' }) });
    const watch = watcher.subscribe.chat({ room: 'x' });
    await watch.ready;
    const sub = member.subscribe.chat({ room: 'x' }, undefined, { presence: { name: 'before' } });
    await sub.ready;
    await sub.setPresence({ name: 'after' });
    const oldId = member.connectionId!;
    server.connections.get(oldId)!.close(1012);
    await until(() => member.state === 'open' && member.connectionId !== oldId);
    await until(() =>
      [...watch.presence.values()].some((m) => m.conn === member.connectionId && m.state.name === 'after'),
    );
    expect(watch.presence.has(oldId)).toBe(false);
    const got: string[] = [];
    sub.on('message', (m) => got.push(m.text));
    await server.publish.chat({ room: 'x' }, { text: 'still here' });
    await until(() => got.length === 1);
  });
});
