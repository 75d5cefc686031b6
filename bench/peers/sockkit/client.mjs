/**
 * sockkit client for the load process (`@sockkit/client/node`, on ws), with its defaults except
 * reconnection, which a benchmark must not do silently.
 */
import { createSockkitClient, streams } from '@sockkit/client/node';
import { WebSocket } from 'ws';
import { contract } from './contract.mjs';
import { benchTracer, observing } from './observe.mjs';

/** Client tracing, with SOCKKIT_BENCH_OBSERVE=1 (observe.mjs). */
const tracer = observing.clientTracing
  ? (await import('@sockkit/client/otel')).otelCallTracer(await benchTracer('bench-client'))
  : undefined;

/** @typedef {import('../../lib/peer.mjs').PeerClient} PeerClient */

/**
 * ws bound to a source address. Only W4 of the scale run needs one (beyond one address's
 * ephemeral ports), and it measures the server: `@sockkit/client/node`'s own socket takes no
 * ws options, so the client goes through ws's browser-style API instead.
 * @param {string} localAddress
 */
function boundWebSocket(localAddress) {
  return class extends WebSocket {
    /** @param {string} url @param {string[]} protocols */
    constructor(url, protocols) {
      super(url, protocols, { localAddress, perMessageDeflate: false });
    }
  };
}

/**
 * A client (connecting at once) and its PeerClient.
 * @param {string} url
 * @param {import('../../lib/peer.mjs').ConnectOptions} options
 */
function open(url, { localAddress }) {
  const client = createSockkitClient({
    url,
    contract,
    streams,
    reconnect: { maxAttempts: 0 },
    ...(tracer ? { tracer } : {}),
    ...(localAddress !== undefined ? { WebSocket: boundWebSocket(localAddress) } : {}),
  });
  /** @type {PeerClient} */
  const peerClient = {
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
  return { client, peerClient };
}

/**
 * @param {string} url
 * @param {import('../../lib/peer.mjs').ConnectOptions} [options]
 * @returns {Promise<PeerClient>}
 */
export async function connect(url, options = {}) {
  const { client, peerClient } = open(url, options);
  await client.ready();
  return peerClient;
}

/**
 * Opens one connection and calls at once: the client queues calls until it is connected.
 * @param {string} url
 * @param {{ id: number, text: string }} input
 */
export async function connectCalling(url, input) {
  const { peerClient } = open(url, {});
  return { client: peerClient, output: await peerClient.call(input) };
}
