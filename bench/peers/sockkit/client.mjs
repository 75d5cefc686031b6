/**
 * sockkit client for the load process (`@sockkit/client/node`, on ws), with its defaults except
 * reconnection, which a benchmark must not do silently.
 */
import { createSockkitClient } from '@sockkit/client/node';
import { contract } from './contract.mjs';
import { benchTracer, observing } from './observe.mjs';

/** Client tracing, with SOCKKIT_BENCH_OBSERVE=1 (observe.mjs). */
const tracer = observing.clientTracing
  ? (await import('@sockkit/client/otel')).otelCallTracer(await benchTracer('bench-client'))
  : undefined;

/** @typedef {import('../../lib/peer.mjs').PeerClient} PeerClient */

/**
 * @param {string} url
 * @returns {Promise<PeerClient>}
 */
export async function connect(url) {
  const client = createSockkitClient({
    url,
    contract,
    reconnect: { maxAttempts: 0 },
    ...(tracer ? { tracer } : {}),
  });
  await client.ready();
  return {
    call: (input) => client.call.echo(input),
    async subscribe(topic, onMessage) {
      const sub = client.subscribe.room({ id: topic }, (message) => onMessage(message));
      await sub.ready;
    },
    async stream(count, onChunk) {
      for await (const chunk of client.stream.chunks({ count })) onChunk(chunk);
    },
    async pausedStream(read) {
      const stream = client.stream.chunks({ count: Number.MAX_SAFE_INTEGER });
      for (let i = 0; i < read; i++) await stream.next();
      return { stop: () => stream.cancel() };
    },
    close: () => client.close(),
  };
}
