/**
 * The client's side of bad input: a server (here a hand-written one on ws) that sends frames
 * the protocol does not allow. Each gets an `error` event with BAD_REQUEST, the connection stays
 * open, and a well-formed answer after them still settles its call.
 */
import type { AddressInfo } from 'node:net';
import { createSockkitClient } from '@sockkit/client/node';
import { SockkitError, SUBPROTOCOL } from '@sockkit/core';
import { afterEach, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { contract } from './fixtures.js';

let wss: WebSocketServer | undefined;
afterEach(async () => {
  for (const ws of wss?.clients ?? []) ws.terminate();
  await new Promise((resolve) => wss?.close(resolve) ?? resolve(undefined));
  wss = undefined;
});

const WELCOME =
  '{"t":"welcome","session":"s1","conn":"c1","limits":{"maxMessageBytes":1048576,"maxCallsInFlight":8,"maxSubscriptions":8}}';

it('reports each malformed frame from the server and stays connected', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => SUBPROTOCOL });
  wss = server;
  await new Promise((resolve) => server.once('listening', resolve));
  const sockets: WebSocket[] = [];
  server.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { t: string; id?: number };
      if (message.t === 'hello') ws.send(WELCOME);
    });
  });
  const { port } = server.address() as AddressInfo;
  const client = createSockkitClient({ url: `ws://127.0.0.1:${port}`, contract, reconnect: false });
  const errors: SockkitError[] = [];
  client.on('error', (error) => errors.push(error));
  await client.ready();
  const ws = sockets[0]!;

  const bad: (string | Buffer)[] = [
    Buffer.from([1, 2, 3]), // binary
    '{"t":"result",', // not JSON
    '[]', // an empty batch
    '"text"', // not an object
    '{"t":"msg","c":"","e":"E1","d":1}', // a hot kind with an empty channel
    '{"t":"result","id":-4}', // a hot kind with a negative id
    '{"t":"teleport"}', // an unknown kind
  ];
  for (const frame of bad) ws.send(frame, { binary: typeof frame !== 'string' });
  await expect.poll(() => errors.length).toBe(bad.length);
  expect(errors.every((e) => e instanceof SockkitError && e.code === 'BAD_REQUEST')).toBe(true);
  expect(errors.map((e) => e.message)).toEqual([
    'binary frame from server',
    'unreadable frame from server (json)',
    'unreadable frame from server (shape)',
    'unreadable frame from server (shape)',
    'malformed message from server',
    'malformed message from server',
    'malformed message from server',
  ]);
  expect(client.state).toBe('open');

  // Still usable: a call sent now is answered.
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { t: string; id: number; d: { id: number; text: string } };
    if (message.t === 'call')
      ws.send(`{"t":"result","id":${message.id},"d":${JSON.stringify({ ...message.d, echoed: true })}}`);
  });
  await expect(client.call.echo({ id: 7, text: 'after' })).resolves.toEqual({
    id: 7,
    text: 'after',
    echoed: true,
  });
  await client.close();
});
