/**
 * Raw `ws` + ioredis: the practical limit of Redis pub/sub with ws. Every node SUBSCRIBEs one
 * Redis channel when it starts; the publishing node PUBLISHes the JSON string once (awaiting
 * Redis's reply, as an app that wants to know it was published does); every node, the publisher
 * included, receives it from Redis as one Buffer and sends that same Buffer to each local
 * subscriber (`ws.send`, no per-socket serialisation).
 *   client → server  { id, m: 'sub', p: { topic } }   server → client  { id, r: true }
 *   fan-out          { t: topic, d: message }
 */
import { Redis } from 'ioredis';
import { WebSocket, WebSocketServer } from 'ws';

/** @typedef {import('../lib.mjs').ServerOptions} ServerOptions */
/** @typedef {import('../lib.mjs').PeerServer} PeerServer */

/**
 * @param {ServerOptions} options
 * @returns {Promise<PeerServer>}
 */
export async function startServer({ redisUrl, prefix, topic }) {
  const channel = `${prefix}ws:${topic}`;
  const pub = new Redis(redisUrl, { lazyConnect: true });
  const sub = new Redis(redisUrl, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  /** @type {Set<WebSocket>} */
  const local = new Set();
  sub.on('messageBuffer', (_channel, data) => {
    for (const ws of local) if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: false });
  });
  await sub.subscribe(channel);

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    ws.on('error', () => ws.terminate());
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.m === 'sub' && msg.p?.topic === topic) {
        local.add(ws);
        ws.send(JSON.stringify({ id: msg.id, r: true }));
      } else {
        ws.send(JSON.stringify({ id: msg.id, e: 'unknown' }));
      }
    });
    ws.on('close', () => local.delete(ws));
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (wss.address());
  return {
    url: `ws://127.0.0.1:${port}/`,
    publish: (message) => pub.publish(channel, JSON.stringify({ t: topic, d: message })),
    subscribers: () => local.size,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(() => resolve(undefined)));
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
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let subscribed = false;
    ws.once('error', reject);
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.t === topic) onMessage(msg.d);
      else if (msg.id === 1 && !subscribed) {
        subscribed = true;
        if (msg.r === true) resolve({ close: () => ws.close() });
        else reject(new Error(`subscribe refused: ${JSON.stringify(msg)}`));
      }
    });
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, m: 'sub', p: { topic } })));
  });
}
