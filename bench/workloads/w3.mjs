/**
 * W3 fan-out: many subscriber connections on one topic; the server publishes a run of messages
 * (asked over the control channel) and the load process counts deliveries until every
 * subscriber has every message; deliveries/s from the publish request to the last delivery.
 */
import { FANOUT_TOPIC } from '../lib/config.mjs';
import { control } from '../lib/control.mjs';
import { seqOf } from '../lib/payloads.mjs';
import { pool } from '../lib/pool.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ subscribers: number, messages: number }>} ctx */
export async function run({ peer, url, controlUrl, params }) {
  const expected = params.subscribers * params.messages;
  let delivered = 0;
  let outOfOrder = 0;
  /** @type {() => void} */
  let allArrived = () => {};
  const arrived = new Promise((resolve) => {
    allArrived = () => resolve(undefined);
  });
  const clients = await pool(params.subscribers, 100, async () => {
    const client = await peer.connect(url);
    let nextSeq = 0;
    await client.subscribe(FANOUT_TOPIC, (message) => {
      if (seqOf(message) !== nextSeq) outOfOrder++;
      nextSeq++;
      if (++delivered === expected) allArrived();
    });
    return client;
  });
  const stats = await control(controlUrl, `/stats?topic=${FANOUT_TOPIC}`);
  const started = performance.now();
  const published = await control(controlUrl, `/publish?topic=${FANOUT_TOPIC}&messages=${params.messages}`);
  await arrived;
  const elapsed = (performance.now() - started) / 1000;
  // Anything beyond the expected count would be a duplicate.
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const client of clients) await client.close();
  return {
    metrics: { deliveriesPerSec: expected / elapsed, publishMs: published.ms },
    checks: { serverSubscribers: stats.subscribers, delivered, expected, outOfOrder },
    ok: stats.subscribers === params.subscribers && delivered === expected && outOfOrder === 0,
  };
}
