/**
 * Shared fixtures for server tests: a contract covering every feature, and helpers that start
 * a real server on an ephemeral 127.0.0.1 port and real clients against it, disposed after.
 */

import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContractClientOptions, SocketConstructor, SockkitClient } from '@sockkit/client';
import { createSockkitClient } from '@sockkit/client/node';
import { defineContract, SockkitError } from '@sockkit/core';
import {
  createSockkitServer,
  type ServerHandlers,
  type ServerOptions,
  type SockkitServer,
  silentLogger,
} from '@sockkit/server';
import WebSocket from 'ws';
import { z } from 'zod';

/** Every type the codec must carry beyond JSON. */
const everyType = z.object({
  date: z.date(),
  map: z.map(z.string(), z.number()),
  set: z.set(z.number()),
  big: z.bigint(),
  bytes: z.instanceof(Uint8Array),
  re: z.instanceof(RegExp),
  missing: z.undefined(),
});

export const contract = defineContract({
  server: {
    echo: {
      input: z.object({ id: z.number(), text: z.string() }),
      output: z.object({ id: z.number(), text: z.string(), echoed: z.boolean() }),
    },
    whoami: { output: z.object({ user: z.string().nullable(), conn: z.string() }) },
    slow: { input: z.object({ ms: z.number() }), output: z.string() },
    fail: { input: z.enum(['sockkit', 'plain', 'output']), output: z.string() },
    types: { input: everyType, output: everyType },
    askClient: { input: z.object({ question: z.string() }), output: z.boolean() },
    counter: { input: z.object({ ms: z.number() }), output: z.number(), idempotent: true },
    /** Ignores its signal: settles only when the test releases it (`stubborn.release(key)`). */
    stubborn: { input: z.object({ key: z.string() }), output: z.string() },
    /** Large idempotent inputs: answers the blob's length. */
    store: { input: z.object({ blob: z.string() }), output: z.number(), idempotent: true },
    /** Calls the client's `measure`, whose input schema transforms. */
    measureOnClient: { input: z.string(), output: z.number() },
  },
  client: {
    confirm: { input: z.object({ question: z.string() }), output: z.boolean() },
    hang: { output: z.string() },
    measure: { input: z.string().transform((s) => s.length), output: z.number() },
  },
  topics: {
    chat: {
      params: z.object({ room: z.string() }),
      message: z.object({ text: z.string().max(200), from: z.string().optional() }),
      presence: z.object({ name: z.string() }),
      publish: 'client',
    },
    news: { message: z.object({ n: z.number() }) },
    cursor: {
      params: z.object({ doc: z.string() }),
      message: z.object({ pos: z.number() }),
      publish: 'client',
      volatile: true,
    },
    /** Large messages, any params. */
    blobs: { params: z.object({ id: z.string() }), message: z.object({ data: z.string() }) },
  },
});

export type TestContract = typeof contract;

/** Handlers used by most tests; `slow` honours its signal. */
export const handlers: ServerHandlers<TestContract, { user: string | null }> = {
  echo: (input) => ({ ...input, echoed: true }),
  whoami: (_input, ctx) => ({ user: ctx.auth.user, conn: ctx.conn.id }),
  slow: (input, ctx) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve('done'), input.ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        aborted.push(ctx.procedure);
        reject(ctx.signal.reason);
      });
    }),
  fail: (kind) => {
    if (kind === 'sockkit')
      throw new SockkitError('CONFLICT', 'version mismatch', { details: { expected: 3 } });
    if (kind === 'plain') throw new Error('secret database password in message');
    return 42 as unknown as string;
  },
  types: (input) => input,
  askClient: (input, ctx) => ctx.conn.call.confirm(input, { timeout: 2000 }),
  counter: async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ++counter.value;
  },
  stubborn: ({ key }) =>
    new Promise((resolve) => {
      stubborn.running.set(key, () => resolve(key));
    }),
  store: ({ blob }) => blob.length,
  measureOnClient: (text, ctx) => ctx.conn.call.measure(text),
};

/** Handlers of `stubborn` still running, by key; `release` lets one settle. */
export const stubborn = {
  running: new Map<string, () => void>(),
  release(key: string): void {
    this.running.get(key)?.();
    this.running.delete(key);
  },
};

/** Procedures whose signal aborted, in order. */
export const aborted: string[] = [];
export const counter = { value: 0 };

type Ctx = { user: string | null };

/** Starts a server on 127.0.0.1:0 with test defaults. */
export async function startServer(
  overrides: Partial<ServerOptions<TestContract, Ctx>> = {},
): Promise<SockkitServer<TestContract, Ctx> & AsyncDisposable> {
  const server = createSockkitServer<TestContract, Ctx>({
    contract,
    host: '127.0.0.1',
    port: 0,
    handlers,
    logger: silentLogger,
    authenticate: ({ params }) => {
      const token = (params as { token?: string } | undefined)?.token;
      if (token === 'bad') throw new SockkitError('UNAUTHORIZED', 'bad token');
      return { context: { user: token ?? null }, ...(token ? { user: token } : {}) };
    },
    ...overrides,
  });
  await server.ready;
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close({ timeout: 1000 }) });
}

/** Creates a client for `server`; closed on dispose. */
export function connect(
  server: { port: number | undefined },
  overrides: Partial<ContractClientOptions<TestContract>> = {},
): SockkitClient<TestContract> & AsyncDisposable {
  const client = createSockkitClient({
    url: `ws://127.0.0.1:${server.port}`,
    contract,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    ...overrides,
  });
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

/** A raw ws socket that completed the sockkit handshake, collecting every message it gets. */
export async function rawSocket(
  server: { port: number | undefined },
  options: { hello?: boolean; protocol?: string | string[]; headers?: Record<string, string> } = {},
) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}`, options.protocol ?? 'sockkit.v1', {
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const messages: Record<string, unknown>[] = [];
  /** Every message received, in order (`messages` loses those `next` took). */
  const all: Record<string, unknown>[] = [];
  const waiters: {
    test: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const parsed = JSON.parse(data.toString());
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      messages.push(m);
      all.push(m);
      for (const w of [...waiters])
        if (w.test(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
    }
  });
  const next = (test: (m: Record<string, unknown>) => boolean) => {
    const found = messages.find(test);
    if (found) {
      messages.splice(messages.indexOf(found), 1);
      return Promise.resolve(found);
    }
    return new Promise<Record<string, unknown>>((resolve) =>
      waiters.push({
        test,
        resolve: (m) => {
          messages.splice(messages.indexOf(m), 1);
          resolve(m);
        },
      }),
    );
  };
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('close', () => resolve());
  });
  if (options.hello !== false && ws.readyState === ws.OPEN) {
    ws.send('{"t":"hello"}');
    await next((m) => m.t === 'welcome');
  }
  return {
    ws,
    messages,
    all,
    next,
    closed,
    send: (text: string | Buffer) => ws.send(text),
    [Symbol.asyncDispose]: async () => {
      ws.terminate();
    },
  };
}

/**
 * A sockkit server attached to an HTTP server of the test's own on 127.0.0.1, which counts the
 * upgrade requests it gets: how a test sees that a client made no further attempt.
 */
export async function countingServer(overrides: Partial<ServerOptions<TestContract, Ctx>> = {}) {
  const http = createServer();
  const upgrades: IncomingHttpHeaders[] = [];
  http.on('upgrade', (request: IncomingMessage) => upgrades.push(request.headers));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const server = await startServer({ server: http, path: '/', ...overrides });
  const port = (http.address() as AddressInfo).port;
  return {
    server,
    port,
    upgrades: () => upgrades.length,
    /** The headers of each upgrade request, as sent. */
    upgradeHeaders: () => upgrades,
    [Symbol.asyncDispose]: async () => {
      await server.close({ timeout: 1000 });
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** A WebSocket constructor (ws) that sends `headers` with its upgrade request, as a browser sends Origin. */
export function socketWith(headers: Record<string, string>, protocols?: string[]): SocketConstructor {
  return class extends WebSocket {
    constructor(url: string, offered: string[]) {
      super(url, protocols ?? offered, { headers });
    }
  } as unknown as SocketConstructor;
}
