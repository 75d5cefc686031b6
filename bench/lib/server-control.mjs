/**
 * The control side of every peer's server process: a small HTTP server on 127.0.0.1 that the
 * load process uses to make the server publish (W3, so fan-out starts on the server as it would
 * in an app) and to read its memory after forced GC (W4). Once both are listening, the process
 * prints one JSON line `{ "event": "ready", "url", "control" }` for the orchestrator.
 */
import { createServer } from 'node:http';
import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import { fanoutMessage, wallMicros } from './payloads.mjs';

/**
 * @typedef {object} PeerServer
 * @property {string} url where clients connect
 * @property {(topic: string, message: unknown) => unknown} publish sends one message to a topic's subscribers
 * @property {() => number} connections open connections, as the server counts them
 * @property {(topic: string) => number} subscribers subscribers of a topic, as the server counts them
 * @property {() => Promise<void> | void} close
 */

/**
 * Serves control requests for `peer` and announces readiness on stdout.
 * @param {PeerServer} peer
 */
export async function serveControl(peer) {
  const control = jsonServer((url) => handle(peer, url));
  await new Promise((resolve) => control.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (control.address());
  const stop = async () => {
    control.close();
    await peer.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', url: peer.url, control: `http://127.0.0.1:${address.port}` })}\n`,
  );
}

/**
 * @param {PeerServer} peer
 * @param {string} path
 */
async function handle(peer, path) {
  const url = new URL(path, 'http://127.0.0.1');
  switch (url.pathname) {
    case '/stats':
      return {
        connections: peer.connections(),
        subscribers: peer.subscribers(url.searchParams.get('topic') ?? ''),
      };
    case '/memory':
      return await memory(peer);
    case '/publish': {
      const topic = url.searchParams.get('topic') ?? '';
      const count = Number(url.searchParams.get('messages'));
      // How many publishes go out together in one turn, all in flight before any is awaited.
      const burst = Math.max(1, Number(url.searchParams.get('burst') ?? 1));
      // Paced (W3p): one turn every `interval` ms on a fixed schedule, each message stamped
      // with its turn's scheduled time, so a server that falls behind its schedule is charged
      // for it (no coordinated omission). Unpaced: as fast as the server goes.
      const interval = Number(url.searchParams.get('interval') ?? 0);
      const started = performance.now();
      const startedWall = wallMicros();
      for (let seq = 0, turn = 0; seq < count; turn++) {
        const due = interval * turn;
        if (interval > 0 && performance.now() - started < due)
          await sleep(due - (performance.now() - started));
        const at = interval > 0 ? startedWall + Math.round(due * 1000) : undefined;
        const inFlight = [];
        for (const end = Math.min(count, seq + burst); seq < end; seq++)
          inFlight.push(peer.publish(topic, fanoutMessage(seq, at)));
        await Promise.all(inFlight);
        // Let the event loop write and read between turns, as a live server would.
        await tick();
      }
      return { published: count, ms: performance.now() - started };
    }
    default:
      throw new Error(`unknown control path ${url.pathname}`);
  }
}

/** @param {PeerServer} peer */
async function memory(peer) {
  const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
  if (gc === undefined) throw new Error('start the server with --expose-gc');
  // Twice with a turn between: finalisers and weak maps settle after the first pass.
  gc();
  await tick();
  gc();
  const usage = process.memoryUsage();
  return {
    heapUsed: usage.heapUsed,
    rss: usage.rss,
    external: usage.external,
    connections: peer.connections(),
  };
}

/**
 * An HTTP server answering every request with the JSON of `handle(url)`, or 500 with the error.
 * @param {(url: string) => Promise<unknown>} handle
 */
export function jsonServer(handle) {
  return createServer((req, res) => {
    handle(req.url ?? '/').then(
      (body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
      (error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error?.stack ?? error) }));
      },
    );
  });
}
