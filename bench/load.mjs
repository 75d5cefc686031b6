/**
 * The load process: runs one workload against one peer's already-running server and prints one
 * JSON line `{ "event": "result", ... }`. Started by the orchestrator (lib/runner.mjs):
 *   node load.mjs <peer> <workload> <url> <controlUrl> <paramsJson>
 */
import { loadClient } from './lib/peer.mjs';
import { loadWorkload } from './lib/workload.mjs';

const [peerName, workloadId, url, controlUrl, paramsJson] = process.argv.slice(2);
try {
  const peer = await loadClient(peerName);
  const workload = await loadWorkload(workloadId);
  const result = await workload.run({ peer, url, controlUrl, params: JSON.parse(paramsJson) });
  process.stdout.write(
    `${JSON.stringify({ event: 'result', peer: peerName, workload: workloadId, ...result })}\n`,
  );
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stdout.write(
    `${JSON.stringify({ event: 'result', peer: peerName, workload: workloadId, ok: false, error: message })}\n`,
  );
  process.exit(1);
}
