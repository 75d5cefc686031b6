/**
 * W1 rpc-latency: one connection, sequential echo calls; calls/s, p50 and p99 in µs once warm,
 * and the p99 of the first calls after connecting, while V8 is still compiling the hot paths.
 *
 * Why both: with each process pinned to one CPU, V8's compiler threads share that CPU with the
 * process's main thread, and every call that waits for an optimising compile shows in the tail.
 * Over the first few thousand calls that is most of every peer's p99 (measured with
 * `--trace-opt`: bench/README.md, "W1: warm and cold"). The warm figures come after `warmup`
 * calls, when the compiles are done; `coldP99Us` is the p99 of the first `cold` of those.
 */
import { echoInput, isEcho } from '../lib/payloads.mjs';
import { percentile } from '../lib/stats.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ warmup: number, calls: number, cold: number }>} ctx */
export async function run({ peer, url, params }) {
  const client = await peer.connect(url);
  let wrong = 0;
  const cold = new Float64Array(Math.min(params.cold, params.warmup));
  for (let i = 0; i < params.warmup; i++) {
    const input = echoInput(i);
    const t0 = performance.now();
    const output = await client.call(input);
    if (i < cold.length) cold[i] = (performance.now() - t0) * 1000;
    if (!isEcho(input, output)) wrong++;
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
  cold.sort();
  return {
    metrics: {
      callsPerSec: params.calls / elapsed,
      p50Us: percentile(samples, 50),
      p99Us: percentile(samples, 99),
      coldP99Us: percentile(cold, 99),
    },
    checks: { calls: params.warmup + params.calls, wrong },
    ok: wrong === 0,
  };
}
