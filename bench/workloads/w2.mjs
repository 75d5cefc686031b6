/**
 * W2 rpc-throughput: one connection, a fixed number of echo calls in flight; calls/s.
 */
import { echoInput, isEcho } from '../lib/payloads.mjs';

/**
 * @param {import('../lib/peer.mjs').PeerClient} client
 * @param {number} total
 * @param {number} inFlight
 * @param {number} base first call id
 * @returns {Promise<{ done: number, wrong: number }>}
 */
async function burst(client, total, inFlight, base) {
  let next = 0;
  let done = 0;
  let wrong = 0;
  const worker = async () => {
    while (next < total) {
      const input = echoInput(base + next++);
      if (!isEcho(input, await client.call(input))) wrong++;
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { done, wrong };
}

/** @param {import('../lib/workload.mjs').WorkloadContext<{ warmup: number, calls: number, inFlight: number }>} ctx */
export async function run({ peer, url, params }) {
  const client = await peer.connect(url);
  const warm = await burst(client, params.warmup, params.inFlight, 0);
  const started = performance.now();
  const timed = await burst(client, params.calls, params.inFlight, params.warmup);
  const elapsed = (performance.now() - started) / 1000;
  await client.close();
  const wrong = warm.wrong + timed.wrong;
  return {
    metrics: { callsPerSec: timed.done / elapsed },
    checks: { calls: warm.done + timed.done, wrong },
    ok: wrong === 0 && timed.done === params.calls,
  };
}
