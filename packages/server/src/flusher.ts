/**
 * Write coalescing, one per server: frames queued for a connection while one callback runs
 * (a socket read with all the messages it carried, a broker event) leave as one WebSocket
 * frame (a JSON array when there are several) in one socket write. The flush is one
 * process.nextTick for all of the server's connections, run as soon as that callback returns:
 * no timer, no per-connection closure, and no wait for another turn of the event loop
 * (setImmediate cost about 3 µs more per call on the latency bench).
 *
 * A batch is one message text or an array of several: most flushes carry one message, and then
 * no array is made for it. Its WebSocket frame is built in one buffer (ws-frames.ts) and goes
 * out in one write. Fan-out: when one publish queues the same frames for many connections,
 * they hold the very same strings in the same order, and the frame built for the first of
 * them goes to each of the others as it is.
 */
import { batchFrame } from '@sockkit/core/protocol';
import type { WebSocket } from 'ws';
import { buildFrame, takesPrebuiltFrames, writePrebuilt } from './ws-frames.js';

/** Something with queued frames to write. */
export interface Flushable {
  flush(): void;
}

/** Message texts queued in one tick: one, or several in order. */
export type Batch = string | string[];

/** The flush scheduler and batch encoder of one server. */
export class Flusher {
  /**
   * Targets to flush, in `dirty[0..dirtyCount)`: the array is kept and its slots cleared, since
   * emptying an array by `length = 0` frees its store and the next push allocates one again.
   */
  private readonly dirty: (Flushable | undefined)[] = [];
  private dirtyCount = 0;
  private scheduled = false;
  /** The batch written last in this flush, and its frame, for the next socket with the same. */
  private lastFrames: Batch | undefined;
  private lastFrame: Buffer | undefined;
  /** Batches written as a prebuilt shared frame (for tests and metrics). */
  sharedWrites = 0;
  private readonly flushAll = (): void => {
    this.scheduled = false;
    // A target scheduled while this runs is flushed in this pass too.
    for (let i = 0; i < this.dirtyCount; i++) {
      const target = this.dirty[i]!;
      this.dirty[i] = undefined;
      target.flush();
    }
    this.dirtyCount = 0;
    this.lastFrames = undefined;
    this.lastFrame = undefined;
  };

  /** Queues `target` for the next flush. Call once per flush per target (when its queue goes non-empty). */
  schedule(target: Flushable): void {
    this.dirty[this.dirtyCount++] = target;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushAll);
    }
  }

  /**
   * Writes a batch of frames to `ws` as one WebSocket frame, built in one buffer, or taken
   * from the socket before it in this flush when it sent the same batch. `done` runs once the
   * data left for the kernel (for paced writers); such a write is never shared.
   */
  write(ws: WebSocket, frames: Batch, done?: () => void): void {
    if (done || !takesPrebuiltFrames(ws)) {
      ws.send(textOf(frames), done);
      return;
    }
    let frame = this.lastFrame;
    if (frame !== undefined && sameFrames(this.lastFrames!, frames)) this.sharedWrites++;
    else {
      frame = buildFrame(textOf(frames));
      this.lastFrames = frames;
      this.lastFrame = frame;
    }
    writePrebuilt(ws, frame);
  }
}

/** The frame text of a batch. */
export function textOf(frames: Batch): string {
  return typeof frames === 'string' ? frames : batchFrame(frames);
}

function sameFrames(a: Batch, b: Batch): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
