/**
 * W2 rpc-throughput: a fixed number of echo calls in flight on one connection (or, in the scale
 * run, spread evenly over `connections`, each keeping its share in flight); calls/s.
 */
import { echoInput, isEcho } from '../lib/payloads.mjs';

/**
 * Makes `total` calls over `clients`, client i keeping `inFlight[i]` in flight.
 * @param {import('../lib/peer.mjs').PeerClient[]} clients
 * @param {number[]} inFlight per client
 * @param {number} total
 * @param {number} base first call id
 * @returns {Promise<{ done: number, wrong: number }>}
 */
async function burst(clients, inFlight, total, base) {
  let next = 0;
  let done = 0;
  let wrong = 0;
  const worker = async (/** @type {import('../lib/peer.mjs').PeerClient} */ client) => {
    while (next < total) {
      const input = echoInput(base + next++);
      if (!isEcho(input, await client.call(input))) wrong++;
      done++;
    }
  };
  await Promise.all(
    clients.flatMap((client, i) => Array.from({ length: inFlight[i] }, () => worker(client))),
  );
  return { done, wrong };
}

/** @param {import('../lib/workload.mjs').WorkloadContext<{ warmup: number, calls: number, inFlight: number, connections?: number }>} ctx */
export async function run({ peer, url, params }) {
  const connections = params.connections ?? 1;
  const clients = await Promise.all(Array.from({ length: connections }, () => peer.connect(url)));
  // At least one call in flight per connection; the rest of `inFlight` spread as evenly as it goes.
  const inFlight = clients.map((_, i) =>
    Math.max(1, Math.floor(params.inFlight / connections) + (i < params.inFlight % connections ? 1 : 0)),
  );
  const warm = await burst(clients, inFlight, params.warmup, 0);
  const started = performance.now();
  const timed = await burst(clients, inFlight, params.calls, params.warmup);
  const elapsed = (performance.now() - started) / 1000;
  for (const client of clients) await client.close();
  const wrong = warm.wrong + timed.wrong;
  return {
    metrics: { callsPerSec: timed.done / elapsed },
    checks: { calls: warm.done + timed.done, wrong, connections },
    ok: wrong === 0 && timed.done === params.calls,
  };
}
