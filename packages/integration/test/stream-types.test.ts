/**
 * Type tests of streams: chunk, input and final types flow from the contract to callers and
 * handlers. Each `@ts-expect-error` line must fail to compile (tsc fails on an unused one).
 */
import type { ClientStreams, ServerStream, SockkitClient } from '@sockkit/client';
import { defineContract } from '@sockkit/core';
import { createSockkitServer, type ServerStreamHandlers } from '@sockkit/server';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

const contract = defineContract({
  streams: {
    tokens: {
      direction: 'server',
      input: z.object({ prompt: z.string() }),
      chunk: z.string(),
      output: z.object({ tokens: z.number() }),
    },
    ticks: { direction: 'server', chunk: z.date() },
    upload: {
      direction: 'client',
      input: z.object({ name: z.string() }),
      chunk: z.instanceof(Uint8Array),
      output: z.number(),
    },
    log: { direction: 'client', chunk: z.string().transform((s) => s.length) },
  },
});

// Compile-time only: these functions are type-checked, never called.
async function clientSide(client: SockkitClient<typeof contract> & ClientStreams<typeof contract>) {
  expectTypeOf(client.stream.tokens({ prompt: 'hi' })).toEqualTypeOf<
    ServerStream<string, { tokens: number }>
  >();
  for await (const token of client.stream.tokens({ prompt: 'hi' }, { signal: AbortSignal.timeout(1) }))
    expectTypeOf(token).toEqualTypeOf<string>();
  expectTypeOf(client.stream.ticks()).toEqualTypeOf<ServerStream<Date, undefined>>();
  expectTypeOf(client.stream.upload({ name: 'a' }, { source: [new Uint8Array(1)] })).toEqualTypeOf<
    Promise<number>
  >();
  // A chunk is passed as the schema's input and read as its output.
  expectTypeOf(client.stream.log(undefined, { source: ['line'] })).toEqualTypeOf<Promise<undefined>>();
  // @ts-expect-error the prompt is required
  client.stream.tokens({});
  // @ts-expect-error chunks of upload are bytes
  client.stream.upload({ name: 'a' }, { source: ['text'] });
  // @ts-expect-error a client stream needs its source
  client.stream.upload({ name: 'a' }, {});
  // @ts-expect-error no such stream
  client.stream.nope;
}

const handlers: ServerStreamHandlers<typeof contract> = {
  tokens: async function* ({ prompt }, { signal }) {
    expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
    for (const word of prompt.split(' ')) yield word;
    return { tokens: 1 };
  },
  ticks: async function* () {
    yield new Date();
  },
  upload: async (chunks, { name }) => {
    let n = name.length;
    for await (const chunk of chunks) n += chunk.length;
    return n;
  },
  log: async (chunks) => {
    for await (const length of chunks) expectTypeOf(length).toEqualTypeOf<number>();
  },
};

function serverSide() {
  createSockkitServer({ contract, streams: handlers });
  createSockkitServer({
    contract,
    streams: {
      ...handlers,
      // @ts-expect-error the final value must match `output`
      tokens: async function* () {
        yield 'a';
        return { tokens: 'one' };
      },
    },
  });
  createSockkitServer({
    contract,
    streams: {
      ...handlers,
      // @ts-expect-error chunks must match `chunk`
      ticks: async function* () {
        yield 'not a date';
      },
    },
  });
}

describe('stream types', () => {
  it('compile (the checks are in tsc)', () => {
    expect(typeof clientSide).toBe('function');
    expect(typeof serverSide).toBe('function');
  });
});
