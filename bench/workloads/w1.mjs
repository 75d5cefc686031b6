/**
 * W1 rpc-latency: one connection, sequential echo calls; calls/s, p50 and p99 in µs.
 */
import { echoInput, isEcho } from '../lib/payloads.mjs';
import { percentile } from '../lib/stats.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ warmup: number, calls: number }>} ctx */
export async function run({ peer, url, params }) {
  const client = await peer.connect(url);
  let wrong = 0;
  for (let i = 0; i < params.warmup; i++) {
    const input = echoInput(i);
    if (!isEcho(input, await client.call(input))) wrong++;
  }
  const samples = new Float64Array(params.calls);
  const started = performance.now();
  for (let i = 0; i < params.calls; i++) {
    const input = echoInput(i);
    const t0 = performance.now();
    const output = await client.call(input);
    samples[i] = (performance.now() - t0) * 1000;
    if (!isEcho(input, output)) wrong++;
  }
  const elapsed = (performance.now() - started) / 1000;
  await client.close();
  samples.sort();
  return {
    metrics: {
      callsPerSec: params.calls / elapsed,
      p50Us: percentile(samples, 50),
      p99Us: percentile(samples, 99),
    },
    checks: { calls: params.warmup + params.calls, wrong },
    ok: wrong === 0,
  };
}
