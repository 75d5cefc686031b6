/**
 * tRPC 11 on its ws adapter: `echo` as a mutation with zod input validation (how tRPC apps are
 * written), topics as an async-generator subscription over an EventEmitter, W7's stream as a
 * subscription with input returning an async generator. No transformer.
 */
import { EventEmitter, on } from 'node:events';
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { echoOutput, streamChunks } from '../../lib/payloads.mjs';
import { serveControl } from '../../lib/server-control.mjs';

const t = initTRPC.create();
const events = new EventEmitter();
events.setMaxListeners(0);
/** @type {Map<string, number>} */
const subscribed = new Map();

const router = t.router({
  echo: t.procedure
    .input(z.object({ id: z.number(), text: z.string() }))
    .mutation(({ input }) => echoOutput(input)),
  chunks: t.procedure
    .input(z.object({ count: z.number().int().nonnegative() }))
    .subscription(({ input, signal }) => streamChunks(input.count, signal)),
  topic: t.procedure.input(z.object({ topic: z.string() })).subscription(async function* ({ input, signal }) {
    subscribed.set(input.topic, (subscribed.get(input.topic) ?? 0) + 1);
    try {
      for await (const [message] of on(events, input.topic, { signal })) yield message;
    } finally {
      subscribed.set(input.topic, (subscribed.get(input.topic) ?? 1) - 1);
    }
  }),
});

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
await new Promise((resolve) => wss.once('listening', resolve));
const handler = applyWSSHandler({ wss, router });

const { port } = /** @type {import('node:net').AddressInfo} */ (wss.address());
await serveControl({
  url: `ws://127.0.0.1:${port}`,
  publish: (topic, message) => {
    events.emit(topic, message);
  },
  connections: () => wss.clients.size,
  subscribers: (topic) => subscribed.get(topic) ?? 0,
  close: () => {
    handler.broadcastReconnectNotification();
    return new Promise((resolve) => wss.close(() => resolve()));
  },
});
