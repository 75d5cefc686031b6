/**
 * Flow control holds memory flat: a server in its own process streams 1 GiB to one client.
 * While the client reads nothing, the server's generator stays at the client's window and its
 * memory does not grow; when the client reads, the whole GiB passes with the server's memory and
 * the client's heap bounded by a few windows, not by the stream's length.
 */
import { fileURLToPath } from 'node:url';
import { createSockkitClient, streams } from '@sockkit/client/node';
import { type Child, startNode } from '@sockkit/testing';
import { afterEach, expect, it } from 'vitest';
import { memoryContract } from '../fixtures/stream-memory-contract.mjs';

const script = fileURLToPath(new URL('../fixtures/stream-memory-server.mjs', import.meta.url));
const CHUNK_CHARS = 60_000;
const GIB = 1024 ** 3;
const CHUNKS = Math.ceil(GIB / CHUNK_CHARS);
const WINDOW = 16;
const MIB = 1024 ** 2;
const children: Child[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop('SIGKILL')));
});

it('streams 1 GiB to a paused consumer with the server memory flat, and resumes when it reads', async () => {
  const child = await startNode(['--expose-gc', script], /listening (\d+)/, {
    env: { CHUNKS: String(CHUNKS), CHUNK_CHARS: String(CHUNK_CHARS) },
  });
  children.push(child);
  const client = createSockkitClient({
    url: `ws://127.0.0.1:${child.ready[1]}`,
    contract: memoryContract,
    streams,
    reconnect: false,
  });
  try {
    const before = await client.call.memory();
    const stream = client.stream.gigabyte(undefined, { window: WINDOW });
    expect((await stream.next()).value).toHaveLength(CHUNK_CHARS);

    // Paused: one chunk read of a window of 16. The generator stops at the window.
    const paused: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      paused.push((await client.call.memory()).rss - before.rss);
    }
    expect(await client.call.pulled()).toBe(WINDOW);
    expect(Math.max(...paused)).toBeLessThan(32 * MIB);

    // Reading: the rest of the GiB passes, memory sampled along the way on both sides.
    let bytes = CHUNK_CHARS;
    let count = 1;
    const serverGrowth: number[] = [];
    let clientHeapMax = 0;
    const clientHeapBefore = process.memoryUsage().heapUsed;
    for await (const chunk of stream) {
      bytes += chunk.length;
      if (++count % 2000 === 0) {
        serverGrowth.push((await client.call.memory()).rss - before.rss);
        clientHeapMax = Math.max(clientHeapMax, process.memoryUsage().heapUsed - clientHeapBefore);
      }
    }
    expect(count).toBe(CHUNKS);
    expect(bytes).toBeGreaterThanOrEqual(GIB);
    console.log(
      `1 GiB in ${CHUNKS} chunks; server RSS growth paused max ${(Math.max(...paused) / MIB).toFixed(1)} MiB, reading max ${(Math.max(...serverGrowth) / MIB).toFixed(1)} MiB; client heap growth max ${(clientHeapMax / MIB).toFixed(1)} MiB`,
    );
    expect(Math.max(...serverGrowth)).toBeLessThan(64 * MIB);
    expect(clientHeapMax).toBeLessThan(128 * MIB);
  } finally {
    await client.close();
  }
}, 240_000);
