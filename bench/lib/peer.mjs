/**
 * The shape of a peer's client in the load process. Every `peers/<name>/client.mjs` exports
 * `connect(url, options?): Promise<PeerClient>`, resolving once the connection is ready to call,
 * and `connectCalling(url, input)`, which opens a connection and sends its first echo call as
 * early as that client allows, resolving once the call is answered (W5f).
 */

/**
 * @typedef {object} PeerClient
 * @property {(input: { id: number, text: string }) => Promise<unknown>} call the echo procedure
 * @property {(topic: string, onMessage: (message: unknown) => void) => Promise<void>} subscribe
 *   resolves once the server confirmed the subscription
 * @property {() => unknown} close
 * @property {(count: number, onChunk: (chunk: { seq: number, text: string }) => void) => Promise<void>} [stream]
 *   W7: reads a server stream of `count` chunks to its end
 * @property {(read: number) => Promise<{ stop: () => unknown }>} [pausedStream]
 *   W7: opens an endless server stream, reads `read` chunks, then stops reading (as each peer
 *   can: sockkit by not asking for the next chunk, the others by pausing the socket)
 */

/**
 * @typedef {object} ConnectOptions
 * @property {string} [localAddress] source address (127.0.0.x), so that one load process can
 *   open more connections than one address has ephemeral ports
 */

/**
 * @typedef {object} PeerClientModule
 * @property {(url: string, options?: ConnectOptions) => Promise<PeerClient>} connect
 * @property {(url: string, input: { id: number, text: string }) => Promise<{ client: PeerClient, output: unknown }>} connectCalling
 */

/**
 * Loads a peer's client module.
 * @param {string} peer
 * @returns {Promise<PeerClientModule>}
 */
export function loadClient(peer) {
  return import(new URL(`../peers/${peer}/client.mjs`, import.meta.url).href);
}

/** Path of a peer's server script. */
export function serverScript(/** @type {string} */ peer) {
  return new URL(`../peers/${peer}/server.mjs`, import.meta.url).pathname;
}
