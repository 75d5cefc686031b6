/**
 * A real sockkit server on 127.0.0.1 for the hook tests, and clients whose every sent frame is
 * recorded (parsed, batches flattened), so tests assert on the wire rather than on the hooks'
 * own word.
 */
import { createSockkitClient, type SockkitClient, streams } from '@sockkit/client';
import { SockkitError } from '@sockkit/core';
import { createSockkitServer } from '@sockkit/server';
import { recordingSocket, type SentMessage } from '@sockkit/testing/recording-socket';
import { type Contract, contract } from './contract.js';

/** One sent frame's message: its kind `t` and the rest. */
export type { SentMessage };

/** What a slow call's handler saw. */
export interface SlowCall {
  tag: string;
  aborted: boolean;
  release(answer: string): void;
}

export async function startServer() {
  const slow: SlowCall[] = [];
  /** Tags of `hold` streams whose generator ended (its `finally` ran). */
  const ended: string[] = [];
  const texts = new Map<string, string[]>();
  const server = createSockkitServer({
    contract,
    port: 0,
    host: '127.0.0.1',
    handlers: {
      double: ({ n }) => n * 2,
      list: () => ['a', 'b'],
      texts: ({ id }) => texts.get(id) ?? [],
      missing: ({ id }) => {
        throw new SockkitError('NOT_FOUND', `no ${id}`);
      },
      slow: ({ tag }, ctx) =>
        new Promise<string>((resolve) => {
          const call: SlowCall = { tag, aborted: false, release: resolve };
          slow.push(call);
          ctx.signal.addEventListener('abort', () => {
            call.aborted = true;
            resolve('aborted');
          });
        }),
    },
    streams: {
      tokens: async function* ({ n, failAt }) {
        for (let i = 0; i < n; i++) {
          if (i === failAt) throw new SockkitError('CONFLICT', `failed at ${i}`);
          yield `t${i}`;
        }
        return { count: n };
      },
      hold: async function* ({ tag }, ctx) {
        try {
          yield `${tag}:first`;
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        } finally {
          ended.push(tag);
        }
      },
    },
  });
  await server.ready;
  const port = server.port;
  if (port === undefined) throw new Error('the server is not listening');
  return { server, slow, texts, ended, port, url: `ws://127.0.0.1:${port}` };
}

/**
 * How a test's client knows the contract: its type only, as a page that ships no zod makes it
 * (the default), or the contract object too, which also validates the server's calls to it.
 */
export type ClientMode = 'type-only' | 'contract';

/**
 * A client on ws (the tests run under happy-dom, whose own WebSocket is not the one to test)
 * recording what it sends, with the streams part unless `withStreams` is false. Each test
 * closes what it opened.
 */
export function recordingClient(
  url: string,
  mode: ClientMode = 'type-only',
  withStreams = true,
): { client: SockkitClient<Contract>; sent: SentMessage[] } {
  const sent: SentMessage[] = [];
  const RecordingSocket = recordingSocket(sent);
  const parts = withStreams ? { streams } : {};
  const client =
    mode === 'contract'
      ? createSockkitClient({ url, contract, WebSocket: RecordingSocket, ...parts })
      : createSockkitClient<Contract>({ url, WebSocket: RecordingSocket, ...parts });
  return { client, sent };
}

/** The sent messages of kind `t`. */
export const kinds = (sent: SentMessage[], t: string) => sent.filter((message) => message.t === t);
