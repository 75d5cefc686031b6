/**
 * Write coalescing: frames queued for a connection while one callback runs (a socket read with
 * all the messages it carried, a broker event) leave as one WebSocket frame (a JSON array when
 * there are several) in one socket write. The flush is one process.nextTick for all
 * connections, run as soon as that callback returns: no timer, no per-connection closure, and
 * no wait for another turn of the event loop (setImmediate cost about 3 µs more per call on
 * the latency bench).
 *
 * Fan-out: when one publish queues the same frames for many connections, they hold the very
 * same strings in the same order. From the second connection with that batch on, the batch
 * is a WebSocket frame built once (header and UTF-8 payload in one buffer) that goes to each
 * socket in one write, as Socket.IO does with pre-encoded frames.
 */
import { batchFrame } from '@sockkit/core';
import type { WebSocket } from 'ws';
import * as wsModule from 'ws';

/** Something with queued frames to write. */
export interface Flushable {
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;

/** Queues `target` for the next flush. Call once per flush per target (when its queue goes non-empty). */
export function scheduleFlush(target: Flushable): void {
  dirty.push(target);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(flushAll);
  }
}

function flushAll(): void {
  scheduled = false;
  const list = dirty;
  dirty = [];
  for (const target of list) target.flush();
  lastFrames = undefined;
  lastText = undefined;
  lastShared = undefined;
}

/** A batch several connections send: its text, and the whole WebSocket frame that carries it. */
export interface SharedFrame {
  readonly text: string;
  /** Header and payload; undefined if this ws cannot build frames. */
  readonly frame: Buffer | undefined;
}

let lastFrames: string[] | undefined;
let lastText: string | undefined;
let lastShared: SharedFrame | undefined;

/**
 * What to write for a batch of frames: its text when no other connection has sent the same
 * batch in this flush, else the frame shared with them.
 */
export function encodeBatch(frames: string[]): string | SharedFrame {
  if (lastFrames !== undefined && lastText !== undefined && sameFrames(lastFrames, frames)) {
    lastShared ??= { text: lastText, frame: buildFrame(lastText) };
    return lastShared;
  }
  lastFrames = frames;
  lastText = batchFrame(frames);
  lastShared = undefined;
  return lastText;
}

/** The internals of ws this relies on; checked at run time, with `send()` as the fallback. */
type Sender = { sendFrame?: (list: Buffer[]) => void };
type SenderClass = { frame?: (data: Buffer, options: object) => Buffer[] };

const TEXT_FRAME = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };

function buildFrame(text: string): Buffer | undefined {
  const frame = (wsModule as unknown as { Sender?: SenderClass }).Sender?.frame;
  return typeof frame === 'function' ? Buffer.concat(frame(Buffer.from(text), TEXT_FRAME)) : undefined;
}

/** Writes a batch to a socket, a shared one as its prebuilt frame when ws allows. */
export function writeBatch(ws: WebSocket, batch: string | SharedFrame): void {
  if (typeof batch === 'string') return ws.send(batch);
  const sender = (ws as unknown as { _sender?: Sender })._sender;
  // A prebuilt frame must go out as is: only without extensions (no permessage-deflate).
  if (batch.frame && ws.extensions === '' && typeof sender?.sendFrame === 'function')
    sender.sendFrame([batch.frame]);
  else ws.send(batch.text);
}

function sameFrames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
