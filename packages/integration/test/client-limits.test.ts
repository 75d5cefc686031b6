/**
 * The client keeps to the limits the server announces in `welcome`, asserted on the frames
 * the server actually receives: batches are split under `maxMessageBytes`, calls above
 * `maxCallsInFlight` wait for a slot (also when queued before connecting), large idempotent
 * calls never trip the frame cap into a reconnect loop, and an async iterator's queue is bounded.
 */
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { connect, startServer, stubborn } from './fixtures.js';

/** Sizes (bytes) of the frames the server receives on the connection of `connectionId`, from now on. */
function framesOf(server: Awaited<ReturnType<typeof startServer>>, connectionId: string): number[] {
  const sizes: number[] = [];
  const conn = server.connections.get(connectionId) as unknown as { ws: WebSocket };
  conn.ws.on('message', (data: Buffer) => sizes.push(data.length));
  return sizes;
}

describe('the client splits its batches within maxMessageBytes', () => {
  it('two 600 KB calls made in one tick both answer, in frames under the limit', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await client.ready();
    const sizes = framesOf(server, client.connectionId!);
    const blob = 'x'.repeat(600 * 1024);
    const results = await Promise.all([client.call.store({ blob }), client.call.store({ blob: `${blob}y` })]);
    expect(results).toEqual([blob.length, blob.length + 1]);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
  });

  it('1,500 calls of 1 KB in one tick all answer: split by size, held back by maxCallsInFlight', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await client.ready();
    const sizes = framesOf(server, client.connectionId!);
    const conn = server.connections.get(client.connectionId!) as unknown as { callsInFlight: number };
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, conn.callsInFlight)), 1);
    const blob = 'k'.repeat(1024);
    const results = await Promise.allSettled(Array.from({ length: 1500 }, () => client.call.store({ blob })));
    clearInterval(watch);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
    expect(most).toBeLessThanOrEqual(256);
  });

  it('five 900 KB idempotent calls: no frame over the cap, no reconnect, every call answered once', async () => {
    await using server = await startServer();
    await using client = connect(server);
    await client.ready();
    const states: string[] = [];
    client.on('state', (state) => states.push(state));
    const sizes = framesOf(server, client.connectionId!);
    const blob = 'i'.repeat(900 * 1024);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.call.store({ blob: blob + i })),
    );
    expect(results).toEqual([0, 1, 2, 3, 4].map(() => blob.length + 1));
    expect(states).toEqual([]);
    expect(sizes).toHaveLength(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
  });

  it('600 calls made while connecting wait for slots instead of failing LIMIT_EXCEEDED', async () => {
    await using server = await startServer({ limits: { maxCallsInFlight: 16 } });
    await using client = connect(server);
    expect(client.state).toBe('connecting');
    // `slow` answers later, so the calls really are in flight together on the server.
    const results = await Promise.allSettled(Array.from({ length: 600 }, () => client.call.slow({ ms: 10 })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it('a call given up on keeps its slot until the server says its handler settled', async () => {
    await using server = await startServer({ limits: { maxCallsInFlight: 1 } });
    await using client = connect(server);
    await client.ready();
    const texts: string[] = [];
    const conn = server.connections.get(client.connectionId!) as unknown as { ws: WebSocket };
    conn.ws.on('message', (data: Buffer) => texts.push(data.toString()));
    const abort = new AbortController();
    const first = client.call.stubborn({ key: 'slot' }, { signal: abort.signal });
    await expect.poll(() => stubborn.running.has('slot')).toBe(true);
    abort.abort();
    // Made in the same tick as the cancel: sent with it, unless the client holds it back.
    const second = client.call.echo({ id: 2, text: 'after' });
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect.poll(() => texts.some((t) => t.includes('"t":"cancel"'))).toBe(true);
    expect(texts.filter((t) => t.includes('"p":"echo"'))).toEqual([]);
    // The handler settles: the server answers the cancelled call, the slot frees, the echo goes.
    stubborn.release('slot');
    await expect(second).resolves.toMatchObject({ echoed: true });
    expect(texts.filter((t) => t.includes('"p":"echo"'))).toHaveLength(1);
  });
});

describe('subscription iterators', () => {
  it('a loop that falls more than maxBuffered messages behind ends with LIMIT_EXCEEDED', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const sub = client.subscribe.news(undefined, undefined, { maxBuffered: 5 });
    const iterator = sub[Symbol.asyncIterator]();
    await sub.ready;
    for (let n = 0; n < 7; n++) await server.publish.news(undefined, { n });
    await expect.poll(() => sub.ended).toBe(true); // nothing else listened: it unsubscribed
    await expect(iterator.next()).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 5 } });
  });
});
