/**
 * W5f connect to first answer: W5, except that a connection counts once its first call is
 * answered, that call sent as early as the peer's client allows (raw ws: on `open`; Socket.IO,
 * tRPC and sockkit: right away, their clients hold it until the connection is ready for it).
 */
import { control } from '../lib/control.mjs';
import { echoInput, isEcho } from '../lib/payloads.mjs';
import { pool } from '../lib/pool.mjs';

/** @param {import('../lib/workload.mjs').WorkloadContext<{ connections: number, concurrency: number }>} ctx */
export async function run({ peer, url, controlUrl, params }) {
  const started = performance.now();
  const opened = await pool(params.connections, params.concurrency, (i) =>
    peer.connectCalling(url, echoInput(i)),
  );
  const elapsed = (performance.now() - started) / 1000;
  const stats = await control(controlUrl, '/stats');
  const wrong = opened.filter(({ output }, i) => !isEcho(echoInput(i), output)).length;
  for (const { client } of opened) await client.close();
  return {
    metrics: { connectsPerSec: params.connections / elapsed },
    checks: { serverConnections: stats.connections, expected: params.connections, wrong },
    ok: stats.connections === params.connections && wrong === 0,
  };
}
