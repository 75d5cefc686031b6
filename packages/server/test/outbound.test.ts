import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeBatch, type Flushable, type SharedFrame, scheduleFlush, writeBatch } from '../src/outbound.js';

let server: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** `count` real socket pairs on 127.0.0.1: the server side of each, and what its client receives. */
async function pairs(count: number, perMessageDeflate = false) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate });
  server = wss;
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const serverSides: WebSocket[] = [];
  wss.on('connection', (ws) => serverSides.push(ws));
  const received: string[][] = [];
  for (let i = 0; i < count; i++) {
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate });
    const got: string[] = [];
    received.push(got);
    client.on('message', (data, binary) => got.push(binary ? '(binary)' : data.toString()));
    await new Promise((resolve) => client.once('open', resolve));
  }
  await expect.poll(() => serverSides.length).toBe(count);
  return { serverSides, received };
}

/** A flush of `frames` to every socket, as connections queueing the same batch do. */
function flushSame(sockets: WebSocket[], frames: string[]): Promise<void> {
  return new Promise((resolve) => {
    for (const ws of sockets) {
      const target: Flushable = { flush: () => writeBatch(ws, encodeBatch([...frames])) };
      scheduleFlush(target);
    }
    setImmediate(resolve);
  });
}

describe('outbound batches', () => {
  it('writes the same batch intact to every socket at all three frame-length sizes', async () => {
    const { serverSides, received } = await pairs(3);
    const batches = [
      ['{"t":"msg","d":"short"}'],
      [`{"t":"msg","d":"${'é'.repeat(200)}"}`, '{"t":"pong"}'],
      [`{"t":"msg","d":"${'x'.repeat(70_000)}"}`],
    ];
    for (const frames of batches) await flushSame(serverSides, frames);
    const expected = batches.map((frames) => (frames.length === 1 ? frames[0] : `[${frames.join(',')}]`));
    for (const got of received) await expect.poll(() => got).toEqual(expected);
  });

  it('shares one prebuilt frame from the second socket on, and none across flushes', async () => {
    const first = encodeBatch(['{"t":"a"}']);
    const second = encodeBatch(['{"t":"a"}']);
    const third = encodeBatch(['{"t":"a"}']);
    expect(first).toBe('{"t":"a"}');
    // The frame is built with ws's Sender; without it sockets would fall back to send().
    expect((second as SharedFrame).frame?.subarray(2).toString()).toBe('{"t":"a"}');
    expect(third).toBe(second);
    expect(encodeBatch(['{"t":"b"}'])).toBe('{"t":"b"}');
    await new Promise((resolve) => {
      scheduleFlush({ flush: () => {} });
      setImmediate(resolve);
    });
    expect(encodeBatch(['{"t":"b"}'])).toBe('{"t":"b"}');
  });

  it('falls back to send() when the socket negotiated an extension', async () => {
    const { serverSides, received } = await pairs(2, true);
    expect(serverSides[0]?.extensions).toContain('permessage-deflate');
    await flushSame(serverSides, ['{"t":"msg","d":"compressed"}']);
    for (const got of received) await expect.poll(() => got).toEqual(['{"t":"msg","d":"compressed"}']);
  });
});
