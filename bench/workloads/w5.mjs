/**
 * W5 connect rate: open many connections, a bounded number at a time, each until it is ready to
 * call; connections/s. Afterwards (untimed) one call on each proves they were ready.
 */
import { control } from '../lib/control.mjs';
import { echoInput, isEcho } from '../lib/payloads.mjs';
import { pool } from '../lib/pool.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ connections: number, concurrency: number }>} ctx */
export async function run({ peer, url, controlUrl, params }) {
  const started = performance.now();
  const clients = await pool(params.connections, params.concurrency, () => peer.connect(url));
  const elapsed = (performance.now() - started) / 1000;
  const stats = await control(controlUrl, '/stats');
  const answers = await Promise.all(clients.map((client, i) => client.call(echoInput(i))));
  const wrong = answers.filter((output, i) => !isEcho(echoInput(i), output)).length;
  for (const client of clients) await client.close();
  return {
    metrics: { connectsPerSec: params.connections / elapsed },
    checks: { serverConnections: stats.connections, expected: params.connections, wrong },
    ok: stats.connections === params.connections && wrong === 0,
  };
}
