/**
 * W3 fan-out: many subscriber connections on one topic; the server publishes a run of messages
 * (asked over the control channel) and the load process counts deliveries until every
 * subscriber has every message; deliveries/s from the publish request to the last delivery, and
 * the latency of each delivery from its publish. `burst` messages are published together in one
 * event-loop turn (1: one per turn, as messages arriving over time would; W3b: 16).
 */
import { FANOUT_TOPIC } from '../lib/config.mjs';
import { control } from '../lib/control.mjs';
import { subscribeCounting } from '../lib/fanout.mjs';
import { wallMicros } from '../lib/payloads.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ subscribers: number, messages: number, burst?: number, intervalMs?: number }>} ctx */
export async function run({ peer, url, controlUrl, params }) {
  const fanout = await subscribeCounting(peer, url, params);
  const stats = await control(controlUrl, `/stats?topic=${FANOUT_TOPIC}`);
  const started = wallMicros();
  const published = await control(
    controlUrl,
    `/publish?topic=${FANOUT_TOPIC}&messages=${params.messages}&burst=${params.burst ?? 1}&interval=${params.intervalMs ?? 0}`,
  );
  const lastAt = await fanout.arrived;
  // Anything beyond the expected count would be a duplicate.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await fanout.close();
  const { delivered, outOfOrder } = fanout.counts();
  const { expected } = fanout;
  return {
    metrics: {
      deliveriesPerSec: expected / ((lastAt - started) / 1e6),
      deliveryP50Us: fanout.latency.percentile(50),
      deliveryP99Us: fanout.latency.percentile(99),
      publishMs: published.ms,
    },
    checks: { serverSubscribers: stats.subscribers, delivered, expected, outOfOrder },
    ok: stats.subscribers === params.subscribers && delivered === expected && outOfOrder === 0,
  };
}
