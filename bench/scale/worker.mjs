/**
 * A load worker of the scale run: holds its share of one point's connections and prints JSON
 * lines for the orchestrator (scale/run.mjs). Several run side by side when one process cannot
 * hold or drive all connections.
 *   node scale/worker.mjs <peer> <job JSON>
 * Jobs:
 *   { kind: 'fanout', url, count, messages }  W3: `count` subscribers on the fan-out topic; prints
 *     `ready`, then `result` once each has every message (counts, last arrival, latency histogram)
 *   { kind: 'idle', url, count, offset, topics, localAddress }  W4: `count` connections, number
 *     i subscribed to topic `room${(offset + i) % topics}`, bound to `localAddress`; prints `ready`
 * Then it holds its connections until stopped; past `deadlineMs` it exits by itself.
 */
import { subscribeCounting } from '../lib/fanout.mjs';
import { loadClient } from '../lib/peer.mjs';
import { pool } from '../lib/pool.mjs';

const [peerName, jobJson] = process.argv.slice(2);
const job = JSON.parse(jobJson);
setTimeout(() => {
  process.stderr.write(`worker: past its deadline of ${job.deadlineMs} ms, exiting\n`);
  process.exit(2);
}, job.deadlineMs);
process.once('SIGTERM', () => process.exit(0));

/** @param {Record<string, unknown>} line */
const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

try {
  const peer = await loadClient(peerName);
  if (job.kind === 'fanout') {
    const fanout = await subscribeCounting(peer, job.url, { subscribers: job.count, messages: job.messages });
    say({ event: 'ready', connections: job.count });
    await fanout.arrived;
    // Anything beyond the expected count would be a duplicate.
    await new Promise((resolve) => setTimeout(resolve, 50));
    say({ event: 'result', expected: fanout.expected, ...fanout.counts(), latency: fanout.latency.toJSON() });
  } else if (job.kind === 'idle') {
    await pool(job.count, 100, async (i) => {
      const client = await peer.connect(job.url, { localAddress: job.localAddress });
      await client.subscribe(`room${(job.offset + i) % job.topics}`, () => {});
    });
    say({ event: 'ready', connections: job.count });
  } else {
    throw new Error(`unknown job kind ${job.kind}`);
  }
} catch (error) {
  // The orchestrator reports a worker's stderr when it exits early.
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
