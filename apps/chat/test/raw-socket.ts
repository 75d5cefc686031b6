/**
 * A bare `ws` socket speaking sockkit by hand, to send what the client library never would
 * (an author in a call's input, a publish to a server-only topic) and read frames as sent.
 */
import WebSocket from 'ws';

export type Frame = { t: string; id?: number; d?: unknown; e?: { code: string; message: string } };

/** Connects with `params` and resolves with the close code when the server refuses them. */
export async function refusedWith(url: string, params: unknown): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, 'sockkit.v1');
  ws.on('error', () => {});
  ws.once('open', () => ws.send(JSON.stringify({ t: 'hello', params })));
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

/** Connects, says hello with `params`, and resolves after `welcome` with `request` (one frame out, its answer back). */
export async function rawSocket(url: string, params: unknown) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, 'sockkit.v1');
  const frames: Frame[] = [];
  ws.on('message', (data) => {
    const parsed = JSON.parse(data.toString()) as Frame | Frame[];
    frames.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  });
  ws.on('error', () => {});
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = async (test: (frame: Frame) => boolean): Promise<Frame> => {
    for (let waited = 0; waited < 10_000; waited += 10) {
      const found = frames.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no such frame among ${JSON.stringify(frames)}`);
  };
  ws.send(JSON.stringify({ t: 'hello', params }));
  await next((frame) => frame.t === 'welcome');
  let nextId = 1;
  return {
    /** Sends `frame` with a fresh id and resolves with the `result` or `error` answering it. */
    async request(frame: Record<string, unknown>): Promise<Frame> {
      const id = nextId++;
      ws.send(JSON.stringify({ ...frame, id }));
      return next((answer) => answer.id === id && (answer.t === 'result' || answer.t === 'error'));
    },
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    close: () => ws.close(),
  };
}
