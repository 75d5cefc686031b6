/**
 * One W6 server process: `node server.mjs <peer> '<json ServerOptions & { lifetimeMs }>'`.
 * Starts the peer's server on 127.0.0.1 and a control endpoint beside it (HTTP, 127.0.0.1,
 * ephemeral port), then prints one JSON line `{ "event": "ready", node, url, control }`.
 *   GET /stats                → { node, subscribers }  this node's local subscribers
 *   GET /cpu/start            → {}  marks process.cpuUsage() for the measured window
 *   GET /cpu/stop             → { userUs, systemUs, ms }  CPU used since /cpu/start
 *   GET /publish?messages=N   → { published, ms }  N messages, one per event-loop turn
 *                               (&intervalMs=M: one every M ms instead)
 * It exits on SIGTERM/SIGINT, when its stdin closes (the orchestrator is gone), or after
 * `lifetimeMs` whatever happens.
 */

import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import { jsonServer } from '../lib/server-control.mjs';
import { loadPeer, message } from './lib.mjs';

const [peerName, json] = process.argv.slice(2);
/** @type {import('./lib.mjs').ServerOptions & { lifetimeMs: number }} */
const options = JSON.parse(json ?? '{}');
setTimeout(() => {
  console.error(`[node ${options.node}] lifetime of ${options.lifetimeMs} ms is over; exiting`);
  process.exit(3);
}, options.lifetimeMs).unref();

const peerModule = await loadPeer(peerName);
const peer = await peerModule.startServer(options);

/** @type {NodeJS.CpuUsage | undefined} */
let cpuMark;
let cpuMarkMs = 0;

/** @param {URL} url */
async function handle(url) {
  switch (url.pathname) {
    case '/stats':
      return { node: options.node, subscribers: peer.subscribers() };
    case '/cpu/start':
      cpuMarkMs = performance.now();
      cpuMark = process.cpuUsage();
      return {};
    case '/cpu/stop': {
      if (cpuMark === undefined) throw new Error('/cpu/stop before /cpu/start');
      const delta = process.cpuUsage(cpuMark);
      return { userUs: delta.user, systemUs: delta.system, ms: performance.now() - cpuMarkMs };
    }
    case '/publish': {
      const count = Number(url.searchParams.get('messages'));
      const intervalMs = Number(url.searchParams.get('intervalMs') ?? 0);
      if (!Number.isInteger(count) || count < 0) throw new Error('messages must be a count');
      const started = performance.now();
      for (let seq = 0; seq < count; seq++) {
        await peer.publish(message(seq));
        // One message per event-loop turn, as messages arriving over time would be.
        if (intervalMs > 0) await sleep(intervalMs);
        else await tick();
      }
      return { published: count, ms: performance.now() - started };
    }
    default:
      throw new Error(`unknown control path ${url.pathname}`);
  }
}

const controlServer = jsonServer((url) => handle(new URL(url, 'http://127.0.0.1')));
await new Promise((resolve) => controlServer.listen(0, '127.0.0.1', () => resolve(undefined)));
const { port } = /** @type {import('node:net').AddressInfo} */ (controlServer.address());

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  controlServer.close();
  await Promise.race([peer.close(), new Promise((resolve) => setTimeout(resolve, 3000))]).catch(() => {});
  process.exit(0);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

process.stdout.write(
  `${JSON.stringify({ event: 'ready', node: options.node, url: peer.url, control: `http://127.0.0.1:${port}` })}\n`,
);
