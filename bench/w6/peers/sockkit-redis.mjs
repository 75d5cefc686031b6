/**
 * sockkit on `RedisBroker` from `@sockkit/redis`, with its defaults: history on (every publish
 * appends to the channel's Redis stream in the same script that PUBLISHes it), superjson codec,
 * `NODE_ENV=production` (no output validation); with `waitReplicas`, `waitForReplicas` (each
 * publish acknowledged by that many replicas before it is delivered). The publishing node calls
 * `server.publish.room({ id }, message)` and awaits it; clients are `@sockkit/client/node`.
 */

import { createSockkitClient } from '@sockkit/client/node';
import { channelKey, defineContract } from '@sockkit/core';
import { RedisBroker } from '@sockkit/redis';
import { createSockkitServer } from '@sockkit/server';
import { z } from 'zod';

/** @typedef {import('../lib.mjs').ServerOptions} ServerOptions */
/** @typedef {import('../lib.mjs').PeerServer} PeerServer */

const contract = defineContract({
  topics: {
    room: {
      params: z.object({ id: z.string() }),
      message: z.object({ seq: z.number(), at: z.number(), text: z.string() }),
    },
  },
});

/**
 * @param {ServerOptions} options
 * @returns {Promise<PeerServer>}
 */
export async function startServer({ redisUrl, prefix, topic, node, waitReplicas = 0 }) {
  const waitForReplicas = waitReplicas > 0 ? { replicas: waitReplicas, timeoutMs: 1000 } : undefined;
  const broker = new RedisBroker({ url: redisUrl, prefix, node: `w6-${node}`, waitForReplicas });
  broker.on('gap', (gap) => console.error(`[node ${node}] gap`, JSON.stringify(gap)));
  await broker.ready();
  const server = createSockkitServer({ contract, broker, handlers: {}, host: '127.0.0.1', port: 0 });
  await server.ready;
  const key = channelKey('room', { id: topic });
  return {
    url: `ws://127.0.0.1:${server.port}/`,
    publish: (message) => server.publish.room({ id: topic }, message),
    subscribers: () => {
      let count = 0;
      for (const conn of server.connections.values()) if (conn.channels().includes(key)) count++;
      return count;
    },
    async close() {
      await server.close({ timeout: 1000 });
      await broker.close();
    },
  };
}

/**
 * @param {string} url
 * @param {string} topic
 * @param {(message: unknown) => void} onMessage
 */
export async function subscribe(url, topic, onMessage) {
  const client = createSockkitClient({ url, contract, reconnect: { maxAttempts: 0 } });
  await client.ready();
  const sub = client.subscribe.room({ id: topic }, (message) => onMessage(message));
  await sub.ready;
  return { close: () => client.close() };
}
