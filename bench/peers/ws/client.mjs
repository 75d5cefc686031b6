/**
 * Raw `ws` client for the load process: a pending-call map keyed by a numeric call id.
 */
import { WebSocket } from 'ws';

/** @typedef {import('../../lib/peer.mjs').PeerClient} PeerClient */

/**
 * Opens one connection; resolves when it is open and ready to call.
 * @param {string} url
 * @param {import('../../lib/peer.mjs').ConnectOptions} [options]
 * @returns {Promise<PeerClient>}
 */
export function connect(url, { localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress });
    /** @type {Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>} */
    const pending = new Map();
    /** @type {Map<string, (message: unknown) => void>} */
    const listeners = new Map();
    /** @type {Map<number, (chunk: any) => void>} */
    const streams = new Map();
    let nextId = 1;
    const request = (/** @type {string} */ m, /** @type {unknown} */ p) =>
      new Promise((res, rej) => {
        const id = nextId++;
        pending.set(id, { resolve: res, reject: rej });
        ws.send(JSON.stringify({ id, m, p }));
      });
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.t !== undefined) {
        listeners.get(msg.t)?.(msg.d);
        return;
      }
      if (msg.c !== undefined) {
        streams.get(msg.id)?.(msg.c);
        return;
      }
      const entry = pending.get(msg.id);
      if (entry === undefined) return;
      pending.delete(msg.id);
      if (msg.e !== undefined) entry.reject(new Error(msg.e));
      else entry.resolve(msg.r);
    });
    ws.on('error', reject);
    ws.on('close', () => {
      for (const entry of pending.values()) entry.reject(new Error('closed'));
      pending.clear();
    });
    ws.once('open', () =>
      resolve({
        call: (input) => request('echo', input),
        async subscribe(topic, onMessage) {
          listeners.set(topic, onMessage);
          await request('sub', { topic });
        },
        async stream(count, onChunk) {
          const id = nextId;
          streams.set(id, onChunk);
          await request('stream', { count });
          streams.delete(id);
        },
        async pausedStream(read) {
          const id = nextId;
          let seen = 0;
          /** @type {() => void} */
          let enough = () => {};
          const done = new Promise((/** @type {(v?: unknown) => void} */ res) => {
            enough = res;
          });
          streams.set(id, () => {
            if (++seen === read) {
              ws.pause(); // without flow control, all a reader can do is stop reading the socket
              enough();
            }
          });
          request('stream', { count: Number.MAX_SAFE_INTEGER }).catch(() => {});
          await done;
          return { stop: () => ws.terminate() };
        },
        close: () => ws.close(),
      }),
    );
  });
}

/**
 * Opens one connection and makes its first call: a raw WebSocket cannot send before `open`.
 * @param {string} url
 * @param {{ id: number, text: string }} input
 */
export async function connectCalling(url, input) {
  const client = await connect(url);
  return { client, output: await client.call(input) };
}
