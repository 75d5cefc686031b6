/**
 * W6 helpers shared by the orchestrator, the server processes and the load process: the message
 * every peer publishes, a clock every process on the machine agrees on, statistics, the control
 * channel's client side and the peers' common shape.
 */

/** Peers in the order they appear in tables. */
export const PEERS = ['ws-redis', 'socketio-redis', 'sockkit-redis'];

/** The topic (room, channel param) every peer fans out on. */
export const TOPIC = 'w6';

/** Server processes per run; subscribers are spread evenly over them, node 1 publishes. */
export const NODES = 3;

/** Counts and hard limits per mode. */
export const MODES = {
  full: { subscribers: 999, messages: 1_000, reps: 3, runTimeoutMs: 240_000 },
  quick: { subscribers: 30, messages: 50, reps: 1, runTimeoutMs: 45_000 },
};

/**
 * The targets. `cpuUsPerDelivery` is lower-is-better; `deliveriesPerSec` higher.
 * @type {Array<{ metric: 'cpuUsPerDelivery' | 'deliveriesPerSec', peer: string, vs: string, max?: number, min?: number }>}
 */
export const TARGETS = [
  { metric: 'cpuUsPerDelivery', peer: 'sockkit-redis', vs: 'ws-redis', max: 1.15 },
  { metric: 'deliveriesPerSec', peer: 'sockkit-redis', vs: 'socketio-redis', min: 1.2 },
];

const TEXT = 'x'.repeat(160);

/**
 * Milliseconds since the epoch with sub-millisecond resolution. Every process derives it from
 * the same system clock, so a timestamp taken in a server process can be subtracted from one
 * taken in the load process.
 */
export function now() {
  return performance.timeOrigin + performance.now();
}

/**
 * Message number `seq`, stamped with its send time: about 200 bytes as JSON.
 * @param {number} seq
 * @returns {{ seq: number, at: number, text: string }}
 */
export function message(seq) {
  return { seq, at: now(), text: TEXT };
}

/**
 * `{ seq, at }` of a received message, or undefined when it is not one of ours.
 * @param {unknown} value
 * @returns {{ seq: number, at: number } | undefined}
 */
export function parse(value) {
  const m = /** @type {{ seq?: unknown, at?: unknown, text?: unknown } | null} */ (value);
  if (m === null || typeof m !== 'object') return undefined;
  if (typeof m.seq !== 'number' || typeof m.at !== 'number' || m.text !== TEXT) return undefined;
  return { seq: m.seq, at: m.at };
}

export { median, percentile } from '../lib/stats.mjs';

/**
 * GETs a path of a server process's control endpoint and returns its JSON.
 * @param {string} base
 * @param {string} path
 * @returns {Promise<any>}
 */
export async function control(base, path) {
  const res = await fetch(`${base}${path}`);
  const body = await res.json();
  if (!res.ok) throw new Error(`control ${base}${path}: ${body.error ?? res.status}`);
  return body;
}

/**
 * What every `peers/<peer>.mjs` exports.
 * @typedef {object} PeerModule
 * @property {(options: ServerOptions) => Promise<PeerServer>} startServer
 * @property {(url: string, topic: string, onMessage: (message: unknown) => void) => Promise<{ close: () => unknown }>} subscribe
 *   opens one connection and resolves once the server confirmed its subscription to `topic`
 */

/**
 * @typedef {object} ServerOptions
 * @property {number} node 1-based node number
 * @property {string} redisUrl
 * @property {string} prefix Redis key and channel prefix of this run; everything the peer creates starts with it
 * @property {string} topic
 * @property {number} [waitReplicas] replicas that must acknowledge each publish (sockkit-redis only; 0: none)
 */

/**
 * @typedef {object} PeerServer
 * @property {string} url where clients connect
 * @property {(message: { seq: number, at: number, text: string }) => unknown} publish one message to the topic, on every node
 * @property {() => number} subscribers this node's local subscribers of the topic
 * @property {() => Promise<void>} close
 */

/**
 * Loads a peer module.
 * @param {string} peer
 * @returns {Promise<PeerModule>}
 */
export function loadPeer(peer) {
  if (!PEERS.includes(peer)) throw new Error(`unknown W6 peer ${peer} (${PEERS.join(', ')})`);
  return import(new URL(`./peers/${peer}.mjs`, import.meta.url).href);
}
