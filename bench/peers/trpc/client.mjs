/**
 * tRPC 11 client for the load process: one `createWSClient` per connection (ws as the WebSocket
 * class, Node 20 has none), `wsLink`, mutations for calls and `onStarted` for a confirmed
 * subscription.
 */
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { WebSocket } from 'ws';

/** @typedef {import('../../lib/peer.mjs').PeerClient} PeerClient */

/**
 * A tRPC client (connecting at once) as a PeerClient.
 * @param {string} url
 * @param {{ onOpen?: () => void, onError?: () => void }} events
 * @returns {PeerClient}
 */
function open(url, { onOpen, onError }) {
  /** @type {WebSocket | undefined} the socket tRPC opened, to pause it (W7) */
  let socket;
  class Socket extends WebSocket {
    /** @param {ConstructorParameters<typeof WebSocket>} args */
    constructor(...args) {
      super(...args);
      socket = this;
    }
  }
  const wsClient = createWSClient({
    url,
    WebSocket: /** @type {typeof globalThis.WebSocket} */ (/** @type {unknown} */ (Socket)),
    retryDelayMs: () => 60_000,
    onError,
    onOpen,
  });
  /** @type {any} */
  const trpc = createTRPCClient({ links: [wsLink({ client: wsClient })] });
  /** @type {Array<{ unsubscribe: () => void }>} */
  const subs = [];
  return {
    call: (input) => trpc.echo.mutate(input),
    subscribe: (topic, onMessage) =>
      new Promise((res, rej) => {
        subs.push(
          trpc.topic.subscribe(
            { topic },
            {
              onStarted: () => res(undefined),
              onData: onMessage,
              onError: (/** @type {Error} */ e) => rej(e),
            },
          ),
        );
      }),
    stream: (count, onChunk) =>
      new Promise((res, rej) => {
        trpc.chunks.subscribe(
          { count },
          {
            onData: onChunk,
            onComplete: () => res(undefined),
            onError: (/** @type {Error} */ e) => rej(e),
          },
        );
      }),
    pausedStream: (read) =>
      new Promise((res, rej) => {
        let seen = 0;
        const sub = trpc.chunks.subscribe(
          { count: Number.MAX_SAFE_INTEGER },
          {
            onData: () => {
              if (++seen !== read) return;
              socket?.pause(); // tRPC has no flow control: stop reading the socket
              res({ stop: () => sub.unsubscribe() });
            },
            onError: (/** @type {Error} */ e) => rej(e),
          },
        );
      }),
    close: () => {
      for (const sub of subs) sub.unsubscribe();
      return wsClient.close();
    },
  };
}

/**
 * @param {string} url
 * @returns {Promise<PeerClient>}
 */
export function connect(url) {
  return new Promise((resolve, reject) => {
    const client = open(url, {
      onOpen: () => resolve(client),
      onError: () => reject(new Error('tRPC websocket error')),
    });
  });
}

/**
 * Opens one connection and calls at once: wsLink holds the request until the socket is open.
 * @param {string} url
 * @param {{ id: number, text: string }} input
 */
export async function connectCalling(url, input) {
  /** @type {(e: Error) => void} */
  let fail = () => {};
  const failed = new Promise((_, reject) => {
    fail = reject;
  });
  const client = open(url, { onError: () => fail(new Error('tRPC websocket error')) });
  return { client, output: await Promise.race([client.call(input), failed]) };
}
