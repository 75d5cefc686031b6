/**
 * `useStream` against a real sockkit server and client over 127.0.0.1: chunks, done and the
 * final value; cancellation on input change, on `cancel()` and on unmount, seen by the server's
 * handler; a server error reported in `error`.
 */
import { type ClientStreams, createSockkitClient, type SockkitClient, streams } from '@sockkit/client/node';
import { SockkitError } from '@sockkit/core';
import { createSockkitServer } from '@sockkit/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { createSockkitVue } from '../src/index.js';
import { inApp as inAppWith, until } from './in-app.js';
import { streamContract } from './stream-contract.js';

const kit = createSockkitVue(streamContract);
/** Inputs of `words` streams whose handler saw its signal abort. */
const cancelled: string[] = [];

let server: ReturnType<typeof createSockkitServer<typeof streamContract>>;
let client: SockkitClient<typeof streamContract> & ClientStreams<typeof streamContract>;
const inApp = <T>(fn: () => T) => inAppWith(client, fn);

beforeAll(async () => {
  server = createSockkitServer({
    contract: streamContract,
    port: 0,
    host: '127.0.0.1',
    streams: {
      words: async function* ({ text, slow }, { signal }) {
        const words = text.split(' ');
        try {
          for (const word of words) {
            if (slow) await new Promise((resolve) => setTimeout(resolve, 20));
            if (word === 'fail') throw new SockkitError('CONFLICT', 'no');
            yield word;
          }
          return { count: words.length };
        } finally {
          if (signal.aborted) cancelled.push(text);
        }
      },
      upload: async (chunks) => {
        let n = 0;
        for await (const chunk of chunks) n += chunk.length;
        return n;
      },
    },
  });
  await server.ready;
  client = createSockkitClient({ url: `ws://127.0.0.1:${server.port}`, contract: streamContract, streams });
  await client.ready();
});

afterAll(async () => {
  await client.close();
  await server.close({ timeout: 1000 });
});

describe('useStream', () => {
  it('collects the chunks, then done and the final value', async () => {
    const { result, stop } = inApp(() => kit.useStream('words', { text: 'one two three' }));
    await until(() => result.done.value, 'done');
    expect(result.chunks.value).toEqual(['one', 'two', 'three']);
    expect(result.result.value).toEqual({ count: 3 });
    expect(result.streaming.value).toBe(false);
    expect(result.error.value).toBeUndefined();
    stop();
  });

  it('cancels on input change, on cancel() and on unmount, without reporting an error', async () => {
    const first = 'a b c d e f g h i j k l m n o p';
    const text = ref(first);
    const { result, stop } = inApp(() => kit.useStream('words', () => ({ text: text.value, slow: true })));
    await until(() => result.chunks.value.length >= 2, 'first chunks');
    text.value = 'x y';
    await until(() => result.done.value, 'second stream done');
    expect(result.chunks.value).toEqual(['x', 'y']);
    await until(() => cancelled.includes(first), 'first handler cancelled');

    const third = 'q r s t u v w x y z a b c d';
    result.start({ text: third, slow: true });
    await until(() => result.chunks.value.length >= 1, 'third stream started');
    result.cancel();
    await until(() => cancelled.includes(third), 'cancelled by cancel()');
    expect(result.streaming.value).toBe(false);
    expect(result.error.value).toBeUndefined();

    const fourth = 'u n m o u n t e d t o o';
    result.start({ text: fourth, slow: true });
    await until(() => result.chunks.value.length >= 1, 'fourth stream started');
    stop();
    await until(() => cancelled.includes(fourth), 'cancelled on unmount');
  });

  it('reports a server error in `error`, keeping the chunks before it; keep bounds `chunks`', async () => {
    const { result, stop } = inApp(() =>
      kit.useStream('words', { text: 'one two three fail four' }, { keep: 2 }),
    );
    await until(() => result.error.value !== undefined, 'error');
    expect(result.error.value?.code).toBe('CONFLICT');
    expect(result.chunks.value).toEqual(['two', 'three']);
    expect(result.done.value).toBe(false);
    stop();
  });

  it('is lazy without input, and names only server streams', () => {
    const { result, stop } = inApp(() => kit.useStream('words'));
    expect(result.streaming.value).toBe(false);
    // @ts-expect-error upload is a client stream: nothing to read
    inApp(() => kit.useStream('upload')).stop();
    stop();
  });

  it('says how to fix a client created without the streams part', async () => {
    const plain = createSockkitClient({ url: `ws://127.0.0.1:${server.port}`, contract: streamContract });
    const { result, stop } = inAppWith(plain, () => kit.useStream('words'));
    expect(() => result.start({ text: 'a' })).toThrow(
      "useStream needs a client created with the streams option of '@sockkit/client'",
    );
    stop();
    await plain.close();
  });
});
