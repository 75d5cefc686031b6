// One sockkit server node on Redis. Run several (different ports, same Redis and prefix)
// behind a load balancer and they behave as one:
//   node examples/multi-node/node.mjs --name a --port 3001 --redis redis://127.0.0.1:6379
import { parseArgs } from 'node:util';
import { RedisBroker, RedisRelay } from '@sockkit/redis';
import { createSockkitServer } from '@sockkit/server';
import { contract } from './contract.mjs';

const { values: args } = parseArgs({
  options: {
    name: { type: 'string', default: `node-${process.pid}` },
    port: { type: 'string', default: '0' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    prefix: { type: 'string', default: 'sockkit-example:' },
  },
});
const node = args.name;
const broker = new RedisBroker({ url: args.redis, prefix: args.prefix, node });
broker.on('status', (status, { outage }) =>
  console.log(`[${node}] redis ${status}${outage ? ` after ${outage.to - outage.from} ms` : ''}`),
);
broker.on('gap', (gap) =>
  console.log(`[${node}] channel ${gap.channel}: ${gap.cause}, recovered=${gap.recovered}`),
);
await broker.ready();

// Server -> client calls to connections on other nodes go through the relay.
const relay = new RedisRelay({ link: broker.link });
const server = createSockkitServer({
  contract,
  broker,
  relay,
  host: '127.0.0.1',
  port: Number(args.port),
  handlers: {
    whereAmI: () => ({ node }),
    ask: ({ conn, question }) => server.connection(conn).call.confirm({ question }, { timeout: 5000 }),
  },
});
await server.ready;
console.log(`[${node}] listening ${server.port}`);

process.on('SIGTERM', async () => {
  await server.close({ timeout: 2000 });
  await relay.close();
  await broker.close();
  process.exit(0);
});
