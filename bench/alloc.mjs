/**
 * Bytes allocated per call, client and server, each in its own process: V8's young generation is
 * made large enough (512 MB) that no scavenge runs during the measured calls, so the heap's
 * growth over N sequential calls (W1's pattern: one call in flight) is what they allocated.
 * The same command gives the same figure to a few bytes, whatever else the machine is doing.
 *   node --expose-gc --min-semi-space-size=512 --max-semi-space-size=512 alloc.mjs [--calls 20000]
 *   ALLOC_PROFILE=dir …   also writes a sampling heap profile of the calls, garbage included
 *                          (client.heapprofile, server.heapprofile: open in Chrome DevTools)
 *   SOCKKIT_BENCH_OBSERVE=… (and SOCKKIT_BENCH_SAMPLE) … with metrics and tracing on, as the
 *                          bench's sockkit peer sets them up (peers/sockkit/observe.mjs)
 */
import { spawn } from 'node:child_process';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const FLAGS = ['--expose-gc', '--min-semi-space-size=512', '--max-semi-space-size=512'];
const role = process.argv[2];
const calls = Number(process.argv[process.argv.indexOf('--calls') + 1] || 20000);

let gcs = 0;
// Scavenges only: the forced full GCs before each measurement are not counted.
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) gcs++;
}).observe({ entryTypes: ['gc'] });
const settle = async () => {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc();
};
const mark = () => ({ heap: process.memoryUsage().heapUsed, gcs });
// ALLOC_PROFILE=dir: a sampling heap profile of the measured calls, garbage included.
const { Session } = await import('node:inspector/promises');
const session = process.env.ALLOC_PROFILE ? new Session() : undefined;
session?.connect();
const startProfile = async () =>
  session?.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
const stopProfile = async (name) => {
  if (!session) return;
  const { profile } = await session.post('HeapProfiler.stopSampling');
  (await import('node:fs')).writeFileSync(
    `${process.env.ALLOC_PROFILE}/${name}.heapprofile`,
    JSON.stringify(profile),
  );
};

const { defineContract } = await import('@sockkit/core');
const { z } = await import('zod');
const contract = defineContract({
  server: {
    echo: {
      input: z.object({ id: z.number(), text: z.string() }),
      output: z.object({ id: z.number(), text: z.string(), at: z.number() }),
    },
    mark: {
      input: z.object({ reset: z.boolean() }),
      output: z.object({ bytes: z.number(), gcs: z.number() }),
    },
  },
});

const { benchTracer, observing } = await import('./peers/sockkit/observe.mjs');

if (role === 'server') {
  const { createSockkitServer } = await import('@sockkit/server');
  const observers = [];
  if (observing.metrics)
    observers.push((await import('@sockkit/server/metrics')).createSockkitMetrics().observer);
  if (observing.serverTracing)
    observers.push(
      (await import('@sockkit/server/tracing')).createSockkitTracing({
        tracer: await benchTracer('alloc-server'),
      }),
    );
  let start = mark();
  const server = createSockkitServer({
    contract,
    port: 0,
    host: '127.0.0.1',
    limits: { messagesPerSecond: 1e9, messageBurst: 1e9 },
    observers,
    handlers: {
      echo: (i) => ({ id: i.id, text: i.text, at: 1 }),
      mark: async ({ reset }) => {
        if (reset) {
          await settle();
          await startProfile();
          start = mark();
          return { bytes: 0, gcs: 0 };
        }
        const end = mark();
        await stopProfile('server');
        return { bytes: end.heap - start.heap, gcs: end.gcs - start.gcs };
      },
    },
  });
  await server.ready;
  process.on('disconnect', () => process.exit(0));
  process.send({ port: server.port });
} else {
  const child = spawn(process.execPath, [...FLAGS, fileURLToPath(import.meta.url), 'server'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise((r) => child.once('message', r));
  const { createSockkitClient } = await import('@sockkit/client/node');
  const client = createSockkitClient({
    url: `ws://127.0.0.1:${port}/`,
    contract,
    reconnect: { maxAttempts: 0 },
    ...(observing.clientTracing
      ? { tracer: (await import('@sockkit/client/otel')).otelCallTracer(await benchTracer('alloc-client')) }
      : {}),
  });
  await client.ready();
  const text = 'x'.repeat(64);
  const run = async (n) => {
    for (let i = 0; i < n; i++) await client.call.echo({ id: i, text });
  };
  await run(5000); // warm up
  await client.call.mark({ reset: true });
  await settle();
  await startProfile();
  const c0 = mark();
  await run(calls);
  const c1 = mark();
  await stopProfile('client');
  const s = await client.call.mark({ reset: false });
  console.log(
    JSON.stringify({
      calls,
      clientBytesPerCall: Math.round((c1.heap - c0.heap) / calls),
      clientScavenges: c1.gcs - c0.gcs,
      serverBytesPerCall: Math.round(s.bytes / calls),
      serverScavenges: s.gcs,
    }),
  );
  await client.close();
  child.disconnect();
}
