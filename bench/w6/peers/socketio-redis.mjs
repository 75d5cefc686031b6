/**
 * Socket.IO 4 with `@socket.io/redis-adapter` (ioredis clients, its default msgpack parser):
 * websocket transport only, no compression; subscribers join a room through an acknowledged
 * `subscribe` event, the publishing node does `io.to(room).emit('message', message)`, which
 * broadcasts to its own sockets and PUBLISHes once to Redis for the other nodes.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';

/** @typedef {import('../lib.mjs').ServerOptions} ServerOptions */
/** @typedef {import('../lib.mjs').PeerServer} PeerServer */

/**
 * @param {ServerOptions} options
 * @returns {Promise<PeerServer>}
 */
export async function startServer({ redisUrl, prefix, topic }) {
  const pub = new Redis(redisUrl, { lazyConnect: true });
  const sub = new Redis(redisUrl, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    adapter: createAdapter(pub, sub, { key: `${prefix}sio` }),
  });
  // The adapter subscribes without telling when it is done; Redis answers commands on one
  // connection in order, so once this SUBSCRIBE is confirmed, the adapter's are too.
  await sub.subscribe(`${prefix}sio-ready`);
  io.on('connection', (socket) => {
    socket.on('subscribe', (room, ack) => {
      if (room !== topic) return ack(false);
      socket.join(topic);
      ack(true);
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (http.address());
  return {
    url: `http://127.0.0.1:${port}`,
    publish: (message) => {
      io.to(topic).emit('message', message);
    },
    subscribers: () => io.of('/').adapter.rooms.get(topic)?.size ?? 0,
    async close() {
      io.disconnectSockets(true);
      await new Promise((resolve) => io.close(() => resolve(undefined)));
      pub.disconnect();
      sub.disconnect();
    },
  };
}

/**
 * @param {string} url
 * @param {string} topic
 * @param {(message: unknown) => void} onMessage
 */
export function subscribe(url, topic, onMessage) {
  return new Promise((resolve, reject) => {
    const socket = connect(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      perMessageDeflate: false,
    });
    socket.on('message', onMessage);
    socket.once('connect_error', reject);
    socket.once('connect', () => {
      socket.emitWithAck('subscribe', topic).then((ok) => {
        if (ok === true) resolve({ close: () => socket.close() });
        else reject(new Error('subscribe refused'));
      }, reject);
    });
  });
}
