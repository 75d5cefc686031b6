/**
 * Write coalescing, one per server: frames queued for a connection while one callback runs
 * (a socket read with all the messages it carried, a broker event) leave as one WebSocket
 * frame (a JSON array when there are several) in one socket write. The flush is one
 * process.nextTick for all of the server's connections, run as soon as that callback returns:
 * no timer, no per-connection closure, and no wait for another turn of the event loop
 * (setImmediate cost about 3 µs more per call on the latency bench).
 *
 * Fan-out: when one publish queues the same frames for many connections, they hold the very
 * same strings in the same order. From the second connection with that batch on, the batch
 * is a WebSocket frame built once (ws-frames.ts) that goes to each socket in one write.
 */
import { batchFrame } from '@sockkit/core/protocol';
import type { WebSocket } from 'ws';
import { buildFrame, takesPrebuiltFrames, writePrebuilt } from './ws-frames.js';

/** Something with queued frames to write. */
export interface Flushable {
  flush(): void;
}

/** A batch several connections send: its text, and the whole WebSocket frame that carries it. */
interface SharedFrame {
  readonly text: string;
  /** Header and payload; undefined if this ws cannot build frames. */
  readonly frame: Buffer | undefined;
}

/** The flush scheduler and batch encoder of one server. */
export class Flusher {
  private dirty: Flushable[] = [];
  private scheduled = false;
  private lastFrames: string[] | undefined;
  private lastText: string | undefined;
  private lastShared: SharedFrame | undefined;
  /** Batches written as a prebuilt shared frame (for tests and metrics). */
  sharedWrites = 0;
  private readonly flushAll = (): void => {
    this.scheduled = false;
    const list = this.dirty;
    this.dirty = [];
    for (const target of list) target.flush();
    this.lastFrames = undefined;
    this.lastText = undefined;
    this.lastShared = undefined;
  };

  /** Queues `target` for the next flush. Call once per flush per target (when its queue goes non-empty). */
  schedule(target: Flushable): void {
    this.dirty.push(target);
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
  write(ws: WebSocket, frames: string[], done?: () => void): void {
    if (done) {
      ws.send(batchFrame(frames), done);
      return;
    }
    const batch = this.encode(frames);
    if (typeof batch === 'string') ws.send(batch);
    else if (batch.frame && takesPrebuiltFrames(ws)) {
      writePrebuilt(ws, batch.frame);
      this.sharedWrites++;
    } else ws.send(batch.text);
  }

  private encode(frames: string[]): string | SharedFrame {
    if (this.lastFrames !== undefined && this.lastText !== undefined && sameFrames(this.lastFrames, frames)) {
      this.lastShared ??= { text: this.lastText, frame: buildFrame(this.lastText) };
      return this.lastShared;
    }
    this.lastFrames = frames;
    this.lastText = batchFrame(frames);
    this.lastShared = undefined;
    return this.lastText;
  }
}

function sameFrames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
