/**
 * The chunks a client-stream handler reads: an async iterable fed by the caller's `chunk`
 * frames, under credit. The caller may send `window` chunks at first; as the handler takes
 * them, the inbox grants them back in `more` frames (once half the window was read, so one
 * `more` answers many chunks). It never holds more than `window` chunks: a chunk beyond the
 * credit is the caller's fault and ends the stream (see streams.ts).
 */
import type { SockkitError } from '@sockkit/core';

type Waiter = {
  resolve: (result: IteratorResult<unknown>) => void;
  reject: (error: SockkitError) => void;
};

/** The validated chunks of one client stream, in order. */
export class ChunkInbox implements AsyncIterableIterator<unknown> {
  private items: unknown[] = [];
  private head = 0;
  private waiter: Waiter | undefined;
  private ended = false;
  private failure: SockkitError | undefined;
  /** Chunks the caller may still send. */
  private credit: number;
  /** Chunks read since the last grant. */
  private taken = 0;
  /** The handler stopped reading (`break`): later chunks are dropped, no credit is granted. */
  private closed = false;

  constructor(
    private readonly window: number,
    private readonly grant: (n: number) => void,
  ) {
    this.credit = window;
  }

  /** A chunk arrived; false when the caller had no credit for it. */
  push(value: unknown): boolean {
    if (this.credit === 0) return false;
    this.credit--;
    if (this.closed || this.ended || this.failure) return true;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.took();
      waiter.resolve({ value, done: false });
    } else this.items.push(value);
    return true;
  }

  /** The caller sent its last chunk: reading ends after the ones buffered. */
  end(): void {
    this.ended = true;
    if (this.waiter && this.head === this.items.length) {
      this.waiter.resolve({ value: undefined, done: true });
      this.waiter = undefined;
    }
  }

  /** The stream ended early: the handler's next read throws `error`. */
  fail(error: SockkitError): void {
    if (this.failure || this.ended) return;
    this.failure = error;
    this.items = [];
    this.head = 0;
    this.waiter?.reject(error);
    this.waiter = undefined;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.head < this.items.length) {
      const value = this.items[this.head++];
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      }
      this.took();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended || this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    this.closed = true;
    this.items = [];
    this.head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private took(): void {
    if (++this.taken * 2 < this.window) return;
    this.credit += this.taken;
    this.grant(this.taken);
    this.taken = 0;
  }
}
