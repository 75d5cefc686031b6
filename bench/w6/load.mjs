/**
 * The W6 load process: `node load.mjs '<json>'` with `{ peer, urls, controls, subscribers,
 * messages, topic, redisUrl, deliveryTimeoutMs }`. Opens the subscribers, spread evenly over the
 * nodes (subscriber i on node i mod N), checks each node's own count, then opens the CPU window on
 * every node, asks node 1 to publish, and waits until every subscriber has every message. Prints
 * one JSON line `{ "event": "result", ok, metrics, checks, error? }` and exits.
 */
import { Redis } from 'ioredis';
import { control, loadPeer, now, parse, percentile } from './lib.mjs';

/**
 * @type {{ peer: string, urls: string[], controls: string[], subscribers: number, messages: number,
 *   topic: string, redisUrl: string, deliveryTimeoutMs: number, publishIntervalMs?: number }}
 */
const params = JSON.parse(process.argv[2] ?? '{}');
const nodes = params.urls.length;
const expected = params.subscribers * params.messages;

/** @param {Record<string, unknown>} result */
function finish(result) {
  process.stdout.write(`${JSON.stringify({ event: 'result', ...result })}\n`);
  // Connections are left to the orchestrator, which stops the servers next.
  setTimeout(() => process.exit(0), 50);
}

try {
  finish(await run());
} catch (error) {
  finish({ ok: false, error: String(/** @type {Error} */ (error)?.stack ?? error) });
}

async function run() {
  const peer = await loadPeer(params.peer);
  const latencies = new Float64Array(expected);
  const next = new Int32Array(params.subscribers);
  const received = new Int32Array(params.subscribers);
  let delivered = 0;
  let outOfOrder = 0;
  let malformed = 0;
  /** @type {string | undefined} */
  let firstProblem;
  let lastDelivery = 0;
  /** @type {() => void} */
  let allArrived = () => {};
  const arrived = new Promise((resolve) => {
    allArrived = () => resolve(true);
  });

  /** @param {number} i */
  const onMessage = (i) => (/** @type {unknown} */ value) => {
    const at = now();
    const m = parse(value);
    if (m === undefined) {
      malformed++;
      firstProblem ??= `subscriber ${i}: unexpected message ${JSON.stringify(value)?.slice(0, 200)}`;
      return;
    }
    received[i]++;
    if (m.seq === next[i]) next[i]++;
    else {
      outOfOrder++;
      firstProblem ??= `subscriber ${i}: got seq ${m.seq}, expected ${next[i]}`;
      next[i] = m.seq + 1;
    }
    if (delivered < expected) latencies[delivered] = at - m.at;
    delivered++;
    if (delivered === expected) {
      lastDelivery = performance.now();
      allArrived();
    }
  };

  // Subscribers, 50 connecting at a time, round-robin over the nodes.
  const connectStarted = performance.now();
  /** @type {Array<{ close: () => unknown }>} */
  const clients = new Array(params.subscribers);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < params.subscribers) {
      const i = nextIndex++;
      clients[i] = await peer.subscribe(params.urls[i % nodes], params.topic, onMessage(i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(50, params.subscribers) }, worker));
  const connectMs = performance.now() - connectStarted;

  // Every node must count exactly its share before anything is published.
  const expectedPerNode = params.urls.map(
    (_, n) => Math.floor(params.subscribers / nodes) + (n < params.subscribers % nodes ? 1 : 0),
  );
  const stats = await Promise.all(params.controls.map((c) => control(c, '/stats')));
  const subscribersPerNode = stats.map((s) => s.subscribers);
  if (subscribersPerNode.some((count, n) => count !== expectedPerNode[n])) {
    return {
      ok: false,
      error: `nodes count ${subscribersPerNode.join('/')} subscribers, expected ${expectedPerNode.join('/')}`,
      checks: { subscribersPerNode, expectedPerNode },
    };
  }
  if (delivered !== 0 || malformed !== 0) {
    return { ok: false, error: `messages before the publish: ${firstProblem ?? delivered}` };
  }

  // Redis's own CPU over the window, for orientation only: it counts every client of that Redis.
  const redis = new Redis(params.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const redisCpu = async () => {
    try {
      const info = await redis.info('cpu');
      const field = (/** @type {string} */ name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1]);
      return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
    } catch {
      return Number.NaN;
    }
  };
  await redis.connect().catch(() => {});

  // The measured window: CPU marks on every node, then node 1 publishes.
  const redisBefore = await redisCpu();
  await Promise.all(params.controls.map((c) => control(c, '/cpu/start')));
  const loadCpuMark = process.cpuUsage();
  const started = performance.now();
  const publishing = control(
    params.controls[0],
    `/publish?messages=${params.messages}&intervalMs=${params.publishIntervalMs ?? 0}`,
  );
  publishing.catch(() => {});
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const complete = await Promise.race([
    arrived,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), params.deliveryTimeoutMs);
    }),
    publishing.then(
      () => new Promise(() => {}),
      () => false,
    ),
  ]);
  clearTimeout(timer);
  const loadCpu = process.cpuUsage(loadCpuMark);
  const cpu = await Promise.all(params.controls.map((c) => control(c, '/cpu/stop')));
  const redisAfter = await redisCpu();
  redis.disconnect();
  /** @type {{ published: number, ms: number } | undefined} */
  let published;
  /** @type {string | undefined} */
  let publishError;
  try {
    published = await publishing;
  } catch (error) {
    publishError = String(error);
  }
  // Anything arriving after this pause, beyond the expected count, is a duplicate.
  await new Promise((resolve) => setTimeout(resolve, complete ? 200 : 0));

  const incomplete = received.filter((n) => n !== params.messages).length;
  const checks = {
    subscribersPerNode,
    expectedPerNode,
    expected,
    delivered,
    extras: Math.max(0, delivered - expected),
    outOfOrder,
    malformed,
    subscribersNotGettingExactlyAll: incomplete,
    published: published?.published ?? 0,
  };
  const ok =
    complete === true &&
    delivered === expected &&
    outOfOrder === 0 &&
    malformed === 0 &&
    incomplete === 0 &&
    published?.published === params.messages;
  for (const client of clients) {
    try {
      client?.close();
    } catch {
      // closing is best effort; the servers are stopped next
    }
  }
  if (!ok) {
    const why =
      publishError ?? firstProblem ?? (complete ? 'duplicates' : 'not every delivery arrived in time');
    return {
      ok: false,
      error: `${why} (delivered ${delivered} of ${expected}; ${incomplete} subscribers did not get exactly ${params.messages})`,
      checks,
    };
  }

  const sorted = latencies.sort();
  const elapsedMs = lastDelivery - started;
  const serverCpuUs = cpu.reduce((sum, c) => sum + c.userUs + c.systemUs, 0);
  return {
    ok: true,
    metrics: {
      deliveriesPerSec: expected / (elapsedMs / 1000),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      cpuUsPerDelivery: serverCpuUs / expected,
      elapsedMs,
      publishMs: published?.ms ?? Number.NaN,
      connectMs,
      serverCpuMs: serverCpuUs / 1000,
      nodeCpuMs: cpu.map((c) => (c.userUs + c.systemUs) / 1000),
      loadCpuUsPerDelivery: (loadCpu.user + loadCpu.system) / expected,
      redisCpuUsPerDelivery: (redisAfter - redisBefore) / expected,
    },
    checks,
  };
}
