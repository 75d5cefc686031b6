/**
 * sockkit server with its defaults (MemoryBroker, superjson codec, zod validation), except the
 * per-connection inbound rate limit: its default (1,000 messages/s, burst 2,000) is a safety net
 * for browsers that W2's single connection doing 200k calls would trip; the other peers have none.
 */
import { channelKey } from '@sockkit/core';
import { createSockkitServer } from '@sockkit/server';
import { echoOutput } from '../../lib/payloads.mjs';
import { serveControl } from '../../lib/server-control.mjs';
import { contract } from './contract.mjs';
import { benchTracer, observing } from './observe.mjs';

/** Metrics and tracing, with SOCKKIT_BENCH_OBSERVE=1 (observe.mjs). */
async function observers() {
  if (!observing) return [];
  const { createSockkitMetrics } = await import('@sockkit/server/metrics');
  const { createSockkitTracing } = await import('@sockkit/server/tracing');
  return [
    createSockkitMetrics().observer,
    createSockkitTracing({ tracer: await benchTracer('bench-server') }),
  ];
}

const server = createSockkitServer({
  contract,
  port: 0,
  host: '127.0.0.1',
  handlers: { echo: (input) => echoOutput(input) },
  limits: { messagesPerSecond: 1e9, messageBurst: 1e9 },
  observers: await observers(),
});
await server.ready;

await serveControl({
  url: `ws://127.0.0.1:${server.port}/`,
  publish: (topic, message) =>
    server.publish.room(
      { id: topic },
      /** @type {ReturnType<typeof import('../../lib/payloads.mjs').fanoutMessage>} */ (message),
    ),
  connections: () => server.connections.size,
  subscribers: (topic) => {
    const key = channelKey('room', { id: topic });
    let count = 0;
    for (const conn of server.connections.values()) if (conn.channels().includes(key)) count++;
    return count;
  },
  close: () => server.close({ timeout: 1000 }),
});
