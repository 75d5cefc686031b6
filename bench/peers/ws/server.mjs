/**
 * Raw `ws` server: hand-written JSON with a call id, the way an app without a framework does it.
 *   client → server  { id, m: 'echo', p: input }  |  { id, m: 'sub', p: { topic } }  |  { id, m: 'stream', p: { count } }
 *   server → client  { id, r: result }            |  { t: topic, d: message }      |  { id, c: chunk }
 * A stream (W7) is written as such an app writes it: one message per chunk as fast as the source
 * gives them, without flow control (the event loop turns every 1,000 chunks, as for every peer).
 * Fan-out serialises each message once and builds its WebSocket frame once, then writes that
 * frame to every subscriber (what Socket.IO's in-memory adapter also does).
 */
import { Sender, WebSocket, WebSocketServer } from 'ws';
import { CHUNKS_PER_TURN, echoOutput, streamChunk } from '../../lib/payloads.mjs';
import { serveControl } from '../../lib/server-control.mjs';

/** @type {Map<string, Set<WebSocket>>} */
const topics = new Map();

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
await new Promise((resolve) => wss.once('listening', resolve));

wss.on('connection', (ws) => {
  /** @type {Set<string>} */
  const joined = new Set();
  ws.on('error', () => ws.terminate());
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.m === 'echo') {
      ws.send(JSON.stringify({ id: msg.id, r: echoOutput(msg.p) }));
    } else if (msg.m === 'sub') {
      const topic = String(msg.p.topic);
      const set = topics.get(topic) ?? new Set();
      topics.set(topic, set);
      set.add(ws);
      joined.add(topic);
      ws.send(JSON.stringify({ id: msg.id, r: true }));
    } else if (msg.m === 'stream') {
      sendStream(ws, msg.id, Number(msg.p.count));
    } else {
      ws.send(JSON.stringify({ id: msg.id, e: 'unknown method' }));
    }
  });
  ws.on('close', () => {
    for (const topic of joined) {
      const set = topics.get(topic);
      set?.delete(ws);
      if (set?.size === 0) topics.delete(topic);
    }
  });
});

/**
 * Sends `count` chunks, then `{ id, r: 'done' }`; stops when the socket closes.
 * @param {WebSocket} ws
 * @param {number} id
 * @param {number} count
 */
function sendStream(ws, id, count) {
  let seq = 0;
  const turn = () => {
    const end = Math.min(count, seq + CHUNKS_PER_TURN);
    for (; seq < end; seq++) ws.send(JSON.stringify({ id, c: streamChunk(seq) }));
    if (ws.readyState !== WebSocket.OPEN) return;
    if (seq < count) setImmediate(turn);
    else ws.send(JSON.stringify({ id, r: 'done' }));
  };
  turn();
}

const frameOptions = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false };

/**
 * @param {string} topic
 * @param {unknown} message
 */
function publish(topic, message) {
  const set = topics.get(topic);
  if (set === undefined) return;
  const data = Buffer.from(JSON.stringify({ t: topic, d: message }));
  const frame = Sender.frame(data, frameOptions);
  for (const ws of set) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    // `_sender.sendFrame` is how Socket.IO writes pre-built frames; fall back to send().
    const sender = /** @type {{ _sender?: { sendFrame?: (f: Buffer[]) => void } }} */ (
      /** @type {unknown} */ (ws)
    )._sender;
    if (typeof sender?.sendFrame === 'function') sender.sendFrame(frame);
    else ws.send(data, { binary: false });
  }
}

const { port } = /** @type {import('node:net').AddressInfo} */ (wss.address());
await serveControl({
  url: `ws://127.0.0.1:${port}/`,
  publish,
  connections: () => wss.clients.size,
  subscribers: (topic) => topics.get(topic)?.size ?? 0,
  close: () => new Promise((resolve) => wss.close(() => resolve())),
});
