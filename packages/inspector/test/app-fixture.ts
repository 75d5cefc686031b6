/**
 * A small app with the inspector mounted at `/ops/inspector`, on 127.0.0.1, as an app would
 * mount it: one HTTP server, the app's sockkit server on `/ws`, `inspector.handle` first in the
 * request handler. Access is a cookie (`inspector=let-me-in`); the page's socket carries it too.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSockkitClient } from '@sockkit/client/node';
import { defineContract, SockkitError } from '@sockkit/core';
import { type Broker, createSockkitServer, silentLogger } from '@sockkit/server';
import * as z from 'zod';
import { createInspector, type InspectorOptions } from '../src/index.js';

export const appContract = defineContract({
  server: {
    echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string() }) },
    slow: { input: z.object({ ms: z.number().int().max(1000) }), output: z.number() },
    secret: { output: z.string() },
  },
  topics: {
    room: {
      params: z.object({ name: z.string() }),
      message: z.object({ from: z.string(), text: z.string() }),
      presence: z.object({ name: z.string() }),
      publish: 'client',
    },
  },
});

export const COOKIE = 'inspector=let-me-in';

export async function startApp(
  options: { intervalMs?: number; broker?: Broker; inspectorBroker?: Broker; node?: string } = {},
) {
  let inspector: ReturnType<typeof createInspector> | undefined;
  const http = createServer(async (request, response) => {
    if (inspector && (await inspector.handle(request, response))) return;
    response.writeHead(404).end('app page');
  });
  const app = createSockkitServer({
    contract: appContract,
    server: http,
    logger: silentLogger,
    ...(options.broker ? { broker: options.broker } : {}),
    ...(options.node ? { node: options.node } : {}),
    authenticate: ({ params }) => {
      const user = (params as { user?: unknown } | undefined)?.user;
      if (typeof user !== 'string' || user === 'mallory')
        throw new SockkitError('UNAUTHORIZED', 'who are you?');
      return { context: { user }, user };
    },
    handlers: {
      echo: (input) => input,
      slow: async (input) => {
        await new Promise((resolve) => setTimeout(resolve, input.ms));
        return input.ms;
      },
      secret: () => {
        throw new SockkitError('FORBIDDEN', 'not for you');
      },
    },
  });
  const inspectorOptions: InspectorOptions = {
    server: app,
    contract: appContract,
    http,
    path: '/ops/inspector',
    title: 'test app',
    authorize: (request) => (request.headers.cookie ?? '').split(/;\s*/).includes(COOKIE),
    challenge: 'Cookie',
    intervalMs: options.intervalMs ?? 200,
    logger: silentLogger,
    ...(options.inspectorBroker ? { broker: options.inspectorBroker } : {}),
  };
  inspector = createInspector(inspectorOptions);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients: ReturnType<typeof createSockkitClient<typeof appContract>>[] = [];
  return {
    app,
    http,
    inspector,
    origin,
    page: `${origin}/ops/inspector/`,
    /** A client of the app as `user`. */
    client(user: string) {
      const client = createSockkitClient({
        url: `${origin.replace('http', 'ws')}/ws`,
        contract: appContract,
        params: () => ({ user }),
        reconnect: false,
      });
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((client) => client.close()));
      await inspector?.close();
      await app.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
