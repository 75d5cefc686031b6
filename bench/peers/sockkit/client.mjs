/**
 * sockkit client for the load process (`@sockkit/client/node`, on ws), with its defaults except
 * reconnection, which a benchmark must not do silently.
 */
import { createSockkitClient } from '@sockkit/client/node';
import { contract } from './contract.mjs';
import { benchTracer, observing } from './observe.mjs';

/** Client tracing, with SOCKKIT_BENCH_OBSERVE=1 (observe.mjs). */
const tracer = observing
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
    close: () => client.close(),
  };
}
