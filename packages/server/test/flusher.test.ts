import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Flusher } from '../src/flusher.js';
import { buildFrame, takesPrebuiltFrames, writePrebuilt } from '../src/ws-frames.js';

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
function flushSame(flusher: Flusher, sockets: WebSocket[], frames: string[]): Promise<void> {
  return new Promise((resolve) => {
    for (const ws of sockets) flusher.schedule({ flush: () => flusher.write(ws, [...frames]) });
    setImmediate(resolve);
  });
}

describe('outbound batches', () => {
  it('writes the same batch intact to every socket at all three frame-length sizes, sharing one frame', async () => {
    const { serverSides, received } = await pairs(3);
    const flusher = new Flusher();
    const batches = [
      ['{"t":"msg","d":"short"}'],
      [`{"t":"msg","d":"${'é'.repeat(200)}"}`, '{"t":"pong"}'],
      [`{"t":"msg","d":"${'x'.repeat(70_000)}"}`],
    ];
    for (const frames of batches) await flushSame(flusher, serverSides, frames);
    const expected = batches.map((frames) => (frames.length === 1 ? frames[0] : `[${frames.join(',')}]`));
    for (const got of received) await expect.poll(() => got).toEqual(expected);
    // The first socket of each flush gets text; the other two the prebuilt frame.
    expect(flusher.sharedWrites).toBe(2 * batches.length);
  });

  it('shares a one-message batch given as its text (no array), as connections queue it', async () => {
    const { serverSides, received } = await pairs(3);
    const flusher = new Flusher();
    const text = '{"t":"msg","d":"one"}';
    await new Promise((resolve) => {
      for (const ws of serverSides) flusher.schedule({ flush: () => flusher.write(ws, text) });
      setImmediate(resolve);
    });
    for (const got of received) await expect.poll(() => got).toEqual([text]);
    expect(flusher.sharedWrites).toBe(2);
  });

  it('flushes, in the same pass, a target scheduled while another one flushes', async () => {
    const { serverSides, received } = await pairs(2);
    const flusher = new Flusher();
    const order: string[] = [];
    const second = {
      flush: () => {
        order.push('b');
        flusher.write(serverSides[1]!, '{"t":"b"}');
      },
    };
    await new Promise((resolve) => {
      flusher.schedule({
        flush: () => {
          order.push('a');
          flusher.write(serverSides[0]!, '{"t":"a"}');
          flusher.schedule(second);
        },
      });
      setImmediate(resolve);
    });
    expect(order).toEqual(['a', 'b']);
    await expect.poll(() => received).toEqual([['{"t":"a"}'], ['{"t":"b"}']]);
  });

  it('shares nothing across flushes, nor between two servers flushing in the same tick', async () => {
    const { serverSides, received } = await pairs(2);
    const [a, b] = [new Flusher(), new Flusher()];
    await new Promise((resolve) => {
      a.schedule({ flush: () => a.write(serverSides[0]!, ['{"t":"a"}']) });
      b.schedule({ flush: () => b.write(serverSides[1]!, ['{"t":"a"}']) });
      setImmediate(resolve);
    });
    await flushSame(a, [serverSides[0]!], ['{"t":"a"}']);
    expect(a.sharedWrites + b.sharedWrites).toBe(0);
    await expect.poll(() => received).toEqual([['{"t":"a"}', '{"t":"a"}'], ['{"t":"a"}']]);
  });

  it('falls back to send() when the socket negotiated an extension', async () => {
    const { serverSides, received } = await pairs(2, true);
    expect(serverSides[0]?.extensions).toContain('permessage-deflate');
    const flusher = new Flusher();
    await flushSame(flusher, serverSides, ['{"t":"msg","d":"compressed"}']);
    for (const got of received) await expect.poll(() => got).toEqual(['{"t":"msg","d":"compressed"}']);
    expect(flusher.sharedWrites).toBe(0);
  });

  it("runs a paced write's callback once the data left, and never shares it", async () => {
    const { serverSides, received } = await pairs(1);
    const flusher = new Flusher();
    const done = await new Promise<boolean>((resolve) =>
      flusher.write(serverSides[0]!, ['{"t":"p"}'], () => resolve(true)),
    );
    expect(done).toBe(true);
    await expect.poll(() => received[0]).toEqual(['{"t":"p"}']);
  });
});

describe('frames built by sockkit', () => {
  it('are read back intact by ws at each payload length encoding (7-bit, 16-bit, 64-bit)', async () => {
    const texts = [
      '',
      'é',
      'x'.repeat(125),
      'y'.repeat(126),
      `${'é'.repeat(40_000)}`,
      'z'.repeat(65_535),
      'w'.repeat(70_000),
    ];
    const { serverSides, received } = await pairs(1);
    for (const text of texts) writePrebuilt(serverSides[0]!, buildFrame(text));
    await expect.poll(() => received[0]).toEqual(texts);
  });
});

describe('the ws internals sockkit relies on (fails loudly when ws changes them)', () => {
  it('ws still takes prebuilt frames through socket._sender.sendFrame', async () => {
    const built = buildFrame('{"t":"x","d":"é"}');
    expect(built.subarray(2).toString()).toBe('{"t":"x","d":"é"}');
    const { serverSides, received } = await pairs(1);
    expect(takesPrebuiltFrames(serverSides[0]!)).toBe(true);
    writePrebuilt(serverSides[0]!, built);
    await expect.poll(() => received[0]).toEqual(['{"t":"x","d":"é"}']);
  });
});
