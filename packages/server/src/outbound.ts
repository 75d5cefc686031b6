/**
 * Write coalescing: frames queued for a connection during one turn of the event loop leave
 * as one WebSocket frame (a JSON array when there are several) in one socket write. The
 * flush runs from a single setImmediate for all connections: no timer, no per-connection
 * closure, and no added latency beyond the current turn.
 *
 * Fan-out: when one publish queues the same frames for many connections, they hold the very
 * same strings in the same order; the batch is then joined and UTF-8 encoded once and that
 * one buffer is written to every socket.
 */
import { batchFrame } from '@sockkit/core';

/** Something with queued frames to write. */
export interface Flushable {
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;

/** Queues `target` for the next flush. Call once per turn per target (when its queue goes non-empty). */
export function scheduleFlush(target: Flushable): void {
  dirty.push(target);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

function flushAll(): void {
  scheduled = false;
  const list = dirty;
  dirty = [];
  for (const target of list) target.flush();
  lastFrames = undefined;
  lastData = undefined;
}

let lastFrames: string[] | undefined;
let lastData: Buffer | undefined;

/** The bytes of a batch of frames, shared with the previous connection when its batch was the same. */
export function encodeBatch(frames: string[]): Buffer {
  if (lastFrames !== undefined && lastData !== undefined && sameFrames(lastFrames, frames)) return lastData;
  lastFrames = frames;
  lastData = Buffer.from(batchFrame(frames));
  return lastData;
}

function sameFrames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
