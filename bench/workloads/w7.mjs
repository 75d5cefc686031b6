/**
 * W7 stream: one connection reads a server stream of `chunks` chunks of ~100 bytes; chunks/s and
 * the load process's CPU per chunk (user + system, from `process.cpuUsage`). Then server memory
 * with a paused consumer: an endless stream, `pausedRead` chunks read, then nothing read for
 * `pauseMs`; the server's RSS after forced GC, minus its RSS before the stream opened. A
 * producer without flow control keeps writing into a socket nobody reads, and its buffers grow.
 */
import { control } from '../lib/control.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ warmup: number, chunks: number, pausedRead: number, pauseMs: number }>} ctx */
export async function run({ peer, url, controlUrl, params }) {
  const client = await peer.connect(url);
  if (client.stream === undefined || client.pausedStream === undefined)
    throw new Error('this peer has no streams');
  let warm = 0;
  await client.stream(params.warmup, () => warm++);

  let seen = 0;
  let outOfOrder = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await client.stream(params.chunks, (chunk) => {
    if (chunk.seq !== seen) outOfOrder++;
    seen++;
  });
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);

  const before = await control(controlUrl, '/memory');
  const paused = await client.pausedStream(params.pausedRead);
  await new Promise((resolve) => setTimeout(resolve, params.pauseMs));
  const during = await control(controlUrl, '/memory');
  await paused.stop();
  await client.close();
  return {
    metrics: {
      chunksPerSec: params.chunks / elapsed,
      clientCpuUsPerChunk: (used.user + used.system) / params.chunks,
      pausedRssGrowthBytes: during.rss - before.rss,
    },
    checks: { warm, chunks: seen, expected: params.chunks, outOfOrder },
    ok: warm === params.warmup && seen === params.chunks && outOfOrder === 0,
  };
}
