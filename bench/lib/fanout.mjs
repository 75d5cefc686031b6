/**
 * The receiving side of fan-out (W3, and the scale run's W3 workers): opens subscribers on the
 * fan-out topic and counts what arrives: the total, per-subscriber order, and each delivery's
 * latency from the publish stamp the server put in the message.
 */
import { FANOUT_TOPIC } from './config.mjs';
import { Histogram } from './histogram.mjs';
import { seqOf, wallMicros } from './payloads.mjs';
import { pool } from './pool.mjs';

/**
 * Opens `subscribers` connections, each subscribed to the fan-out topic, expecting `messages`
 * messages on each. Resolves once every subscription is confirmed.
 * @param {import('./peer.mjs').PeerClientModule} peer
 * @param {string} url
 * @param {{ subscribers: number, messages: number, concurrency?: number }} counts
 */
export async function subscribeCounting(peer, url, { subscribers, messages, concurrency = 100 }) {
  const expected = subscribers * messages;
  const latency = new Histogram();
  let delivered = 0;
  let outOfOrder = 0;
  /** Wall-clock µs of the last expected delivery. */
  let lastAt = Number.NaN;
  /** @type {(lastAt: number) => void} */
  let allArrived = () => {};
  /** @type {Promise<number>} */
  const arrived = new Promise((resolve) => {
    allArrived = resolve;
  });
  const clients = await pool(subscribers, concurrency, async () => {
    const client = await peer.connect(url);
    let nextSeq = 0;
    await client.subscribe(FANOUT_TOPIC, (message) => {
      const now = wallMicros();
      if (seqOf(message) !== nextSeq) outOfOrder++;
      nextSeq++;
      latency.add(now - /** @type {{ at: number }} */ (message).at);
      if (++delivered === expected) {
        lastAt = now;
        allArrived(now);
      }
    });
    return client;
  });
  return {
    clients,
    expected,
    /** Resolves with the wall-clock µs of the last expected delivery. */
    arrived,
    /** What arrived so far. */
    counts: () => ({ delivered, outOfOrder, lastAt }),
    latency,
    async close() {
      for (const client of clients) await client.close();
    },
  };
}
