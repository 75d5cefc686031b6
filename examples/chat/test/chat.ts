/**
 * Driving the built chat as its users do: the server as a child process (`node
 * dist/server/main.js`, stopped by its pid), tokens from its POST /login, Node clients with the
 * app's contract, and raw sockets where the wire itself is the point.
 */
import { fileURLToPath } from 'node:url';
import { createSockkitClient, type SocketConstructor } from '@sockkit/client/node';
import type { SockkitError } from '@sockkit/core';
import { type Child, startNode } from '@sockkit/testing';
import WebSocket from 'ws';
import { contract } from '../src/contract.js';

const main = fileURLToPath(new URL('../dist/server/main.js', import.meta.url));

/** A running chat node: its base URL and process. */
export interface ChatNode extends AsyncDisposable {
  readonly url: string;
  readonly child: Child;
}

/** Starts a chat node on an ephemeral port with `env` on top of this process's environment. */
export async function startChat(env: Record<string, string> = {}): Promise<ChatNode> {
  const child = await startNode([main], /chat listening on (http:\/\/[\d.]+:\d+)/, {
    // One node on the in-process broker unless a test gives Redis: REDIS_URL from the
    // environment (.ci/run sets it) would share state between runs under the default prefix.
    env: { PORT: '0', CHAT_SECRET: 'test secret', CHAT_ADMINS: 'admin', REDIS_URL: '', ...env },
    // A node starting while every other suite runs on CI's 2 cores took over 15 s once; the
    // bound stays under the 30 s hook timeout so that a hang still says which child.
    timeoutMs: 28_000,
  });
  return { url: child.ready[1]!, child, [Symbol.asyncDispose]: () => child.stop() };
}

/** A token from the node's demo login. */
export async function login(at: { url: string }, name: string): Promise<string> {
  const response = await fetch(`${at.url}/login`, { method: 'POST', body: JSON.stringify({ name }) });
  if (!response.ok) throw new Error(`login ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** A Node client of the chat with `token`, recording its errors and states. */
export function chatClient(
  node: ChatNode,
  token: string,
  options: { origin?: string; url?: string; urls?: ChatNode[] } = {},
) {
  const errors: SockkitError[] = [];
  const states: string[] = [];
  const client = createSockkitClient({
    url: options.url ?? (options.urls ?? [node]).map((each) => `${each.url.replace(/^http/, 'ws')}/ws`),
    contract,
    params: () => ({ token }),
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    ...(options.origin === undefined ? {} : { WebSocket: sendingOrigin(options.origin) }),
  });
  client.on('error', (error) => errors.push(error));
  client.on('state', (state) => states.push(state));
  return Object.assign(client, { errors, states, [Symbol.asyncDispose]: () => client.close() });
}

/** ws sending a browser's Origin header, which Node clients do not send by themselves. */
function sendingOrigin(origin: string): SocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols, { origin });
    }
  } as unknown as SocketConstructor;
}

/** A raw WebSocket welcomed with `token`: every frame it receives, and how it closed. */
export async function rawClient(node: ChatNode, token: string) {
  const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}/ws`, 'sockkit.v1');
  const frames: Record<string, unknown>[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const parsed: unknown = JSON.parse(data.toString());
    frames.push(...((Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[]));
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ t: 'hello', params: { token } }));
  // Anything sent before the server's welcome is refused ("send 'hello' first").
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (frames.some((f) => f.t === 'welcome')) return resolve();
      if (ws.readyState === ws.CLOSED)
        return reject(new Error(`closed before welcome: ${JSON.stringify(frames)}`));
      setTimeout(check, 10);
    };
    check();
  });
  return {
    frames,
    closed,
    send: (frame: object) => ws.send(JSON.stringify(frame)),
    [Symbol.asyncDispose]: async () => {
      ws.terminate();
    },
  };
}
