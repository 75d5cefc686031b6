// Starts three sockkit nodes on one Redis, spreads clients over them and shows that they
// behave as one: a chat message from any node reaches everyone in the same order, presence
// is the union, a server -> client call crosses nodes, and when a node is killed its clients
// resume on another one without losing a message.
//
//   npm run build && REDIS_URL=redis://127.0.0.1:6379 node examples/multi-node/run.mjs
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSockkitClient } from '@sockkit/client/node';
import { Redis } from 'ioredis';
import { contract } from './contract.mjs';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sockkit-example:${process.pid}:`;
const script = fileURLToPath(new URL('./node.mjs', import.meta.url));

function startNode(name) {
  return new Promise((resolve, reject) => {
    const child = fork(script, ['--name', name, '--port', '0', '--redis', redisUrl, '--prefix', prefix], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout.on('data', (data) => {
      const text = data.toString();
      process.stdout.write(text);
      const port = /listening (\d+)/.exec(text)?.[1];
      if (port) resolve({ name, child, url: `ws://127.0.0.1:${port}` });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

const nodes = await Promise.all(['a', 'b', 'c'].map(startNode));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Each client knows every node and starts at a different one (a load balancer would pick).
const people = ['ann', 'bob', 'cat'].map((name, i) => {
  const urls = [...nodes.slice(i), ...nodes.slice(0, i)].map((n) => n.url);
  const client = createSockkitClient({
    url: urls,
    contract,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    handlers: { confirm: ({ question }) => question.includes(name) },
  });
  const seen = [];
  const sub = client.subscribe.chat(
    { room: 'lobby' },
    (message, info) => seen.push(`${info.offset}:${message.from}:${message.text}`),
    { presence: { name } },
  );
  return { name, client, sub, seen };
});
await Promise.all(people.map((p) => p.sub.ready));
for (const p of people) console.log(`${p.name} is on node ${(await p.client.call.whereAmI()).node}`);

for (const p of people) await p.client.publish.chat({ room: 'lobby' }, { text: 'hello', from: p.name });
await sleep(200);
for (const p of people)
  console.log(
    `${p.name} saw ${p.seen.join(', ')}; present: ${[...p.sub.presence.values()].map((m) => m.state.name).join(', ')}`,
  );

const answer = await people[2].client.call.ask({
  conn: people[0].client.connectionId,
  question: 'are you ann?',
});
console.log(`cat (node c) asked ann (node a) across nodes: ${answer}`);

console.log('killing node a with SIGKILL while bob keeps chatting...');
nodes[0].child.kill('SIGKILL');
for (let i = 1; i <= 20; i++) {
  await people[1].client.publish.chat({ room: 'lobby' }, { text: `msg ${i}`, from: 'bob' });
  await sleep(20);
}
await sleep(500);
const offsets = people[0].seen.map((s) => Number(s.split(':')[0]));
const contiguous = offsets.every((o, i) => i === 0 || o === offsets[i - 1] + 1);
console.log(
  `ann is now on node ${(await people[0].client.call.whereAmI()).node}, saw ${offsets.length} messages, no gap: ${contiguous}`,
);

for (const p of people) await p.client.close();
for (const n of nodes.slice(1)) n.child.kill('SIGTERM');
await sleep(500);
// Leave nothing behind in Redis.
const redis = new Redis(redisUrl);
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
  cursor = next;
  if (keys.length > 0) await redis.del(...keys);
} while (cursor !== '0');
redis.disconnect();
process.exit(contiguous ? 0 : 1);
