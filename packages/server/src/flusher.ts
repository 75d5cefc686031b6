/**
 * Write coalescing, one per server: frames queued for a connection while one callback runs
 * (a socket read with all the messages it carried, a broker event) leave as one WebSocket
 * frame (a JSON array when there are several) in one socket write. The flush is one
 * process.nextTick for all of the server's connections, run as soon as that callback returns:
 * no timer, no per-connection closure, and no wait for another turn of the event loop
 * (setImmediate cost about 3 µs more per call on the latency bench).
 *
 * A batch is one message text or an array of several: most flushes carry one message, and then
 * no array is made for it. Fan-out: when one publish queues the same frames for many
 * connections, they hold the very same strings in the same order. From the second connection with that batch on, the batch
 * is a WebSocket frame built once (ws-frames.ts) that goes to each socket in one write.
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

/** A batch several connections send: its text, and the whole WebSocket frame that carries it. */
interface SharedFrame {
  readonly text: string;
  /** Header and payload; undefined if this ws cannot build frames. */
  readonly frame: Buffer | undefined;
}

/** The flush scheduler and batch encoder of one server. */
export class Flusher {
  /**
   * Targets to flush, in `dirty[0..dirtyCount)`: the array is kept and its slots cleared, since
   * emptying an array by `length = 0` frees its store and the next push allocates one again.
   */
  private readonly dirty: (Flushable | undefined)[] = [];
  private dirtyCount = 0;
  private scheduled = false;
  private lastFrames: Batch | undefined;
  private lastText: string | undefined;
  private lastShared: SharedFrame | undefined;
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
    this.lastText = undefined;
    this.lastShared = undefined;
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
   * Writes a batch of frames to `ws`: as text when no other connection sent the same batch in
   * this flush, else as the frame shared with them. `done` runs once the data left for the
   * kernel (for paced writers); such a write is never shared.
   */
  write(ws: WebSocket, frames: Batch, done?: () => void): void {
    if (done) {
      ws.send(textOf(frames), done);
      return;
    }
    const batch = this.encode(frames);
    if (typeof batch === 'string') ws.send(batch);
    else if (batch.frame && takesPrebuiltFrames(ws)) {
      writePrebuilt(ws, batch.frame);
      this.sharedWrites++;
    } else ws.send(batch.text);
  }

  private encode(frames: Batch): string | SharedFrame {
    if (this.lastFrames !== undefined && this.lastText !== undefined && sameFrames(this.lastFrames, frames)) {
      this.lastShared ??= { text: this.lastText, frame: buildFrame(this.lastText) };
      return this.lastShared;
    }
    this.lastFrames = frames;
    this.lastText = textOf(frames);
    this.lastShared = undefined;
    return this.lastText;
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
