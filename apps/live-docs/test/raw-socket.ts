/**
 * A bare `ws` socket speaking sockkit by hand, for asserting on frames exactly as the server
 * sends them (no client library in between to retry, deduplicate or reinterpret).
 */
import WebSocket from 'ws';

/** One sockkit message as it travels. */
export type Frame = {
  t: string;
  id?: number;
  c?: string;
  d?: unknown;
  e?: { code: string; message: string };
};

/** Connects to `url`, sends `hello` with `params` and resolves after `welcome`. */
export async function rawSocket(url: string, params: unknown) {
  const ws = new WebSocket(url, 'sockkit.v1');
  const frames: Frame[] = [];
  const waiters: { test: (f: Frame) => boolean; resolve: (f: Frame) => void; reject: (e: Error) => void }[] =
    [];
  let closed: string | undefined;
  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    closed = `closed ${code} ${reason.toString()}`;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(closed));
  });
  ws.on('message', (data) => {
    const parsed = JSON.parse(data.toString()) as Frame | Frame[];
    for (const frame of Array.isArray(parsed) ? parsed : [parsed]) {
      frames.push(frame);
      for (const waiter of [...waiters]) {
        if (!waiter.test(frame)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  const next = (test: (f: Frame) => boolean, what: string) =>
    new Promise<Frame>((resolve, reject) => {
      const found = frames.find(test);
      if (found) return resolve(found);
      if (closed) return reject(new Error(closed));
      const timer = setTimeout(() => reject(new Error(`no ${what} frame`)), 10_000);
      waiters.push({
        test,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ t: 'hello', params }));
  await next((f) => f.t === 'welcome', 'welcome');
  let ids = 100;
  return {
    /** Every frame received so far, in order. */
    frames,
    /** Sends a `call` and resolves with the frame answering it (`result` or `error`). */
    call(procedure: string, input: unknown): Promise<Frame> {
      const id = ids++;
      ws.send(JSON.stringify({ t: 'call', id, p: procedure, d: input }));
      return next((f) => f.id === id && (f.t === 'result' || f.t === 'error'), `answer to ${procedure}`);
    },
    /** Sends a `sub` and resolves with its answer (`subscribed` or `error`). */
    subscribe(topic: string, params: unknown): Promise<Frame> {
      const id = ids++;
      ws.send(JSON.stringify({ t: 'sub', id, topic, params }));
      return next((f) => f.id === id && (f.t === 'subscribed' || f.t === 'error'), `answer to sub ${topic}`);
    },
    /** Sends a `pub` and resolves with its answer. */
    publish(topic: string, params: unknown, d: unknown): Promise<Frame> {
      const id = ids++;
      ws.send(JSON.stringify({ t: 'pub', id, topic, params, d }));
      return next((f) => f.id === id && (f.t === 'result' || f.t === 'error'), `answer to pub ${topic}`);
    },
    /** The next frame matching `test` (one already received included). */
    next,
    close: () => ws.close(),
  };
}
