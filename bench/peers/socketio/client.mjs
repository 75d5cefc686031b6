/**
 * Socket.IO 4 client for the load process: one Manager per connection (`forceNew`), websocket
 * transport only, no reconnection.
 */
import { io } from 'socket.io-client';

/** @typedef {import('../../lib/peer.mjs').PeerClient} PeerClient */

/**
 * A socket and its PeerClient; the socket starts connecting at once.
 * @param {string} url
 * @param {import('../../lib/peer.mjs').ConnectOptions} options
 */
function open(url, { localAddress }) {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    perMessageDeflate: false,
    localAddress,
  });
  /** @type {Map<string, (message: unknown) => void>} */
  const listeners = new Map();
  socket.on('message', (message) => {
    // One topic per connection in these workloads; the room name does not travel.
    for (const listener of listeners.values()) listener(message);
  });
  /** @type {PeerClient} */
  const client = {
    call: (input) => socket.emitWithAck('echo', input),
    async subscribe(topic, onMessage) {
      listeners.set(topic, onMessage);
      await socket.emitWithAck('subscribe', topic);
    },
    close: () => socket.close(),
  };
  return { socket, client };
}

/**
 * @param {string} url
 * @param {import('../../lib/peer.mjs').ConnectOptions} [options]
 * @returns {Promise<PeerClient>}
 */
export function connect(url, options = {}) {
  const { socket, client } = open(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('connect', () => resolve(client));
  });
}

/**
 * Opens one connection and calls at once: Socket.IO buffers the emit until `connect`.
 * @param {string} url
 * @param {{ id: number, text: string }} input
 */
export async function connectCalling(url, input) {
  const { socket, client } = open(url, {});
  const failed = new Promise((_, reject) => socket.once('connect_error', reject));
  return { client, output: await Promise.race([client.call(input), failed]) };
}
