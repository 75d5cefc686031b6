/**
 * Socket.IO 4 client for the load process: one Manager per connection (`forceNew`), websocket
 * transport only, no reconnection.
 */
import { io } from 'socket.io-client';

/** @typedef {import('../../lib/peer.mjs').PeerClient} PeerClient */

/**
 * @param {string} url
 * @returns {Promise<PeerClient>}
 */
export function connect(url) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      perMessageDeflate: false,
    });
    /** @type {Map<string, (message: unknown) => void>} */
    const listeners = new Map();
    socket.on('message', (message) => {
      // One topic per connection in these workloads; the room name does not travel.
      for (const listener of listeners.values()) listener(message);
    });
    socket.once('connect_error', reject);
    socket.once('connect', () =>
      resolve({
        call: (input) => socket.emitWithAck('echo', input),
        async subscribe(topic, onMessage) {
          listeners.set(topic, onMessage);
          await socket.emitWithAck('subscribe', topic);
        },
        close: () => socket.close(),
      }),
    );
  });
}
