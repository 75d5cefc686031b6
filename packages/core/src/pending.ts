/**
 * The table of calls this side sent and awaits an answer for. One entry per call: it settles
 * exactly once, from a result, an error, its timeout, its AbortSignal, or the link dropping,
 * and every path removes it (no entry outlives its call).
 */
import { type Clock, type TimerHandle, unrefTimer } from './clock.js';
import { SockkitError } from './errors.js';

/** How one call may end early. */
export interface PendingOptions {
  /** Milliseconds until TIMEOUT; 0 or undefined waits forever. */
  timeoutMs?: number | undefined;
  /** Aborting rejects with CANCELLED. */
  signal?: AbortSignal | undefined;
  /** Told when the call ended early by timeout or abort, so the peer can be sent `cancel`. */
  onGiveUp?: ((id: number, data: unknown) => void) | undefined;
  /** Procedure name, for error messages. */
  label: string;
}

interface Entry {
  resolve: (value: unknown) => void;
  reject: (error: SockkitError) => void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  options: PendingOptions;
  /** Opaque data the owner keeps with the call (e.g. the frame, to re-send it). */
  data: unknown;
}

/** Calls awaiting an answer, by call id. */
export class PendingCalls {
  private readonly entries = new Map<number, Entry>();
  /** Ids given up on recently (timeout/abort), so a late answer is dropped quietly. */
  private readonly abandoned = new Set<number>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Number of calls awaiting an answer. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether call `id` awaits an answer. */
  has(id: number): boolean {
    return this.entries.has(id);
  }

  /** Registers call `id`; the promise settles when {@link settle} or a give-up path ends it. */
  add(id: number, options: PendingOptions, data?: unknown): Promise<unknown> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelled(options.label, signal));
    return new Promise((resolve, reject) => {
      const entry: Entry = { resolve, reject, timer: undefined, signal, options, data };
      if (options.timeoutMs) {
        entry.timer = this.clock.setTimeout(() => this.giveUp(id, timedOut(options)), options.timeoutMs);
        unrefTimer(entry.timer);
      }
      signal?.addEventListener('abort', this, { once: true });
      this.entries.set(id, entry);
    });
  }

  /** Data of every call awaiting an answer, in the order they were added. */
  *entriesData(): IterableIterator<[number, unknown]> {
    for (const [id, entry] of this.entries) yield [id, entry.data];
  }

  /** The data stored with call `id`. */
  data(id: number): unknown {
    return this.entries.get(id)?.data;
  }

  /**
   * Resolves or rejects call `id`. Answers `'late'` for a call given up on recently (its
   * answer is dropped) and `'unknown'` for an id this side never sent.
   */
  settle(id: number, error: SockkitError | undefined, value?: unknown): 'settled' | 'late' | 'unknown' {
    const entry = this.take(id);
    if (!entry) return this.abandoned.has(id) ? 'late' : 'unknown';
    if (error) entry.reject(error);
    else entry.resolve(value);
    return 'settled';
  }

  /** Rejects every call for which `select` returns true (all when omitted). */
  rejectWhere(error: SockkitError, select: (data: unknown) => boolean = () => true): void {
    for (const [id, entry] of this.entries) {
      if (select(entry.data)) this.settle(id, error);
    }
  }

  /** AbortSignal listener: shared by every entry, so no closure per call. */
  handleEvent(event: Event): void {
    for (const [id, entry] of this.entries) {
      if (entry.signal === event.target) this.giveUp(id, cancelled(entry.options.label, entry.signal));
    }
  }

  private giveUp(id: number, error: SockkitError): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.settle(id, error);
    this.abandoned.add(id);
    if (this.abandoned.size > MAX_ABANDONED) this.abandoned.delete(this.abandoned.values().next().value!);
    entry.options.onGiveUp?.(id, entry.data);
  }

  private take(id: number): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    entry.signal?.removeEventListener('abort', this);
    return entry;
  }
}

const MAX_ABANDONED = 256;

function timedOut(options: PendingOptions): SockkitError {
  return new SockkitError('TIMEOUT', `${options.label} timed out after ${options.timeoutMs} ms`);
}

function cancelled(label: string, signal: AbortSignal): SockkitError {
  return new SockkitError('CANCELLED', `${label} was cancelled`, { cause: signal.reason });
}
