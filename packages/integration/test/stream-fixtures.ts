/**
 * A contract with streams both ways and handlers that record what happened to them (how far
 * their generators were pulled, whether their `finally` ran, why their signal aborted), and
 * helpers that start a real server on 127.0.0.1 and real clients against it.
 */
import type { ClientStreams, ContractClientOptions, SockkitClient } from '@sockkit/client';
import { createSockkitClient, streams } from '@sockkit/client/node';
import { defineContract, SockkitError } from '@sockkit/core';
import {
  createSockkitServer,
  type ServerOptions,
  type ServerStreamHandlers,
  type SockkitServer,
  silentLogger,
} from '@sockkit/server';
import { z } from 'zod';

export const streamContract = defineContract({
  server: { ping: { output: z.literal('pong') } },
  streams: {
    /** Numbers `from` to `from + n - 1`, then their count. */
    count: {
      direction: 'server',
      input: z.object({ n: z.number().int().nonnegative(), from: z.number().default(0) }),
      chunk: z.number(),
      output: z.object({ sent: z.number() }),
    },
    /** Yields forever, recording each pull, until cancelled. */
    endless: { direction: 'server', input: z.object({ key: z.string() }), chunk: z.number() },
    /** Yields `before` chunks, then throws `kind`. */
    failing: {
      direction: 'server',
      input: z.object({ before: z.number(), kind: z.enum(['sockkit', 'plain', 'chunk']) }),
      chunk: z.number(),
    },
    /** One chunk of `size` characters. */
    big: { direction: 'server', input: z.number(), chunk: z.string() },
    /** Never yields: ends by its idle timeout. */
    silent: { direction: 'server', chunk: z.number(), idleTimeout: 100 },
    /** Adds the caller's numbers. */
    sum: { direction: 'client', chunk: z.number(), output: z.number() },
    /** Reads `take` chunks, then answers how many it read. */
    short: {
      direction: 'client',
      input: z.object({ take: z.number() }),
      chunk: z.string(),
      output: z.number(),
    },
    /** Bytes with progress: answers the total length and how many chunks came. */
    upload: {
      direction: 'client',
      input: z.object({ name: z.string() }),
      chunk: z.instanceof(Uint8Array),
      output: z.object({ name: z.string(), bytes: z.number(), chunks: z.number() }),
    },
    /** Reads chunks until its signal aborts; records why. */
    hold: { direction: 'client', input: z.object({ key: z.string() }), chunk: z.string() },
  },
});

export type StreamContract = typeof streamContract;

/** What handlers saw, by key. */
export const seen = {
  pulls: new Map<string, number>(),
  finallyRan: new Set<string>(),
  abortReason: new Map<string, unknown>(),
  readErrors: new Map<string, unknown>(),
  reset(): void {
    this.pulls.clear();
    this.finallyRan.clear();
    this.abortReason.clear();
    this.readErrors.clear();
  },
};

export const streamHandlers: ServerStreamHandlers<StreamContract> = {
  count: async function* ({ n, from }) {
    for (let i = 0; i < n; i++) yield from + i;
    return { sent: n };
  },
  endless: async function* ({ key }, { signal }) {
    signal.addEventListener('abort', () => seen.abortReason.set(key, signal.reason));
    try {
      for (let i = 0; ; i++) {
        seen.pulls.set(key, i + 1);
        yield i;
      }
    } finally {
      seen.finallyRan.add(key);
    }
  },
  failing: async function* ({ before, kind }) {
    for (let i = 0; i < before; i++) yield i;
    if (kind === 'sockkit') throw new SockkitError('CONFLICT', 'source changed', { details: { at: before } });
    if (kind === 'chunk') yield 'not a number' as unknown as number;
    throw new Error('secret internals');
  },
  big: async function* (size) {
    yield 'x'.repeat(size);
  },
  silent: async function* (_input, { signal }) {
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
  },
  sum: async (chunks) => {
    let total = 0;
    for await (const n of chunks) total += n;
    return total;
  },
  short: async (chunks, { take }) => {
    let read = 0;
    if (take === 0) return 0;
    for await (const _ of chunks) if (++read === take) break;
    return read;
  },
  upload: async (chunks, { name }) => {
    let bytes = 0;
    let count = 0;
    for await (const chunk of chunks) {
      bytes += chunk.length;
      count++;
    }
    return { name, bytes, chunks: count };
  },
  hold: async (chunks, { key }, { signal }) => {
    signal.addEventListener('abort', () => seen.abortReason.set(key, signal.reason));
    try {
      for await (const _ of chunks) seen.pulls.set(key, (seen.pulls.get(key) ?? 0) + 1);
    } catch (error) {
      seen.readErrors.set(key, error);
      throw error;
    } finally {
      seen.finallyRan.add(key);
    }
  },
};

/** Starts a server with the stream contract on 127.0.0.1:0. */
export async function startStreamServer(
  overrides: Partial<ServerOptions<StreamContract, undefined>> = {},
): Promise<SockkitServer<StreamContract, undefined> & AsyncDisposable> {
  const server = createSockkitServer({
    contract: streamContract,
    host: '127.0.0.1',
    port: 0,
    handlers: { ping: () => 'pong' as const },
    streams: streamHandlers,
    logger: silentLogger,
    ...overrides,
  });
  await server.ready;
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close({ timeout: 1000 }) });
}

/** A client of `server`; closed on dispose. */
export function connectStreams(
  server: { port: number | undefined },
  overrides: Partial<ContractClientOptions<StreamContract>> = {},
): SockkitClient<StreamContract> & ClientStreams<StreamContract> & AsyncDisposable {
  const client = createSockkitClient({
    url: `ws://127.0.0.1:${server.port}`,
    contract: streamContract,
    streams,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    ...overrides,
  });
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

/** Resolves once `test` holds, polling every few ms; fails after `ms`. */
export async function until(test: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
