/**
 * W4 idle memory: many connections, each subscribed to one topic; the server's heap and RSS
 * after forced GC, before and after, divided by the number of connections.
 */
import { control } from '../lib/control.mjs';
import { pool } from '../lib/pool.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ connections: number, topics: number, concurrency: number }>} ctx */
export async function run({ peer, url, controlUrl, params }) {
  const before = await control(controlUrl, '/memory');
  const clients = await pool(params.connections, params.concurrency, async (i) => {
    const client = await peer.connect(url);
    await client.subscribe(`room${i % params.topics}`, () => {});
    return client;
  });
  // Let any per-connection timers and lazy allocations settle before measuring.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = await control(controlUrl, '/memory');
  let subscribers = 0;
  for (let t = 0; t < params.topics; t++)
    subscribers += (await control(controlUrl, `/stats?topic=room${t}`)).subscribers;
  for (const client of clients) await client.close();
  const n = params.connections;
  return {
    metrics: {
      heapPerConnBytes: (after.heapUsed - before.heapUsed) / n,
      rssPerConnBytes: (after.rss - before.rss) / n,
      externalPerConnBytes: (after.external - before.external) / n,
    },
    checks: { serverConnections: after.connections, serverSubscribers: subscribers, expected: n },
    ok: after.connections === n && subscribers === n,
  };
}
