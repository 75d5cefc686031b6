/**
 * The table of calls this side sent and awaits an answer for. One entry per call: it settles
 * exactly once, from a result, an error, its timeout, its AbortSignal, or the link dropping,
 * and every path removes it (no entry outlives its call).
 */
import { type Clock, type TimerHandle, unrefTimer } from './clock.js';
import { SockkitError } from './errors.js';
import { IdTable } from './id-table.js';

/** How one call may end early. */
export interface PendingOptions {
  /** Milliseconds until TIMEOUT; 0 or undefined waits forever. */
  timeoutMs?: number | undefined;
  /** Aborting rejects with CANCELLED. */
  signal?: AbortSignal | undefined;
  /** Procedure name, for error messages. */
  label: string;
}

/** Told when a call ended early by timeout or abort, so the peer can be sent `cancel`. */
export type GiveUpListener = (id: number, data: unknown) => void;

interface Entry {
  resolve: (value: unknown) => void;
  reject: (error: SockkitError) => void;
  /** When it times out, on the clock's time; Infinity for never. */
  deadline: number;
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  label: string;
  /** Opaque data the owner keeps with the call (e.g. the frame, to re-send it). */
  data: unknown;
}

/**
 * Calls awaiting an answer, by call id.
 *
 * Timeouts share one timer, armed for the earliest deadline: a call adds no timer of its own,
 * and one whose deadline is later than the armed one (every call of a steady stream with the
 * same timeout) touches no timer at all. When it fires, the calls past their deadline give up
 * and the timer is armed again for the next one.
 */
export class PendingCalls {
  // `#` fields: minifiers shorten them, and this ships to browsers.
  #entries = new IdTable<Entry>();
  /** Ids given up on recently (timeout/abort), so a late answer is dropped quietly; made on first use. */
  #abandoned: Set<number> | undefined;
  #timer: TimerHandle | undefined;
  /** The deadline the timer is armed for; Infinity when it is not. */
  #armedFor = Number.POSITIVE_INFINITY;
  #clock: Clock;
  #onGiveUp: GiveUpListener | undefined;

  constructor(clock: Clock, onGiveUp?: GiveUpListener) {
    this.#clock = clock;
    this.#onGiveUp = onGiveUp;
  }

  /** Number of calls awaiting an answer. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether call `id` awaits an answer. */
  has(id: number): boolean {
    return this.#entries.has(id);
  }

  /** Registers call `id`; the promise settles when {@link settle} or a give-up path ends it. */
  add(id: number, options: PendingOptions, data?: unknown): Promise<unknown> {
    const { signal, label, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(cancelled(label, signal));
    const deadline = timeoutMs ? this.#clock.now() + timeoutMs : Number.POSITIVE_INFINITY;
    return new Promise((resolve, reject) => {
      this.#entries.set(id, { resolve, reject, deadline, timeoutMs, signal, label, data });
      if (deadline < this.#armedFor) this.#arm(deadline);
      signal?.addEventListener('abort', this, { once: true });
    });
  }

  /** Data of every call awaiting an answer, in the order they were added. */
  *entriesData(): IterableIterator<[number, unknown]> {
    for (const [id, entry] of this.#entries.entries()) yield [id, entry.data];
  }

  /** The data stored with call `id`. */
  data(id: number): unknown {
    return this.#entries.get(id)?.data;
  }

  /**
   * Resolves or rejects call `id`. Answers `'late'` for a call given up on recently (its
   * answer is dropped) and `'unknown'` for an id this side never sent.
   */
  settle(id: number, error: SockkitError | undefined, value?: unknown): 'settled' | 'late' | 'unknown' {
    const entry = this.#take(id);
    if (!entry) return this.#abandoned?.has(id) ? 'late' : 'unknown';
    if (error) entry.reject(error);
    else entry.resolve(value);
    return 'settled';
  }

  /** Rejects every call for which `select` returns true (all when omitted). */
  rejectWhere(error: SockkitError, select: (data: unknown) => boolean = () => true): void {
    for (const [id, entry] of this.#entries.entries()) {
      if (select(entry.data)) this.settle(id, error);
    }
    if (this.#entries.size === 0) this.#arm(Number.POSITIVE_INFINITY);
  }

  /** AbortSignal listener: shared by every entry, so no closure per call. */
  handleEvent(event: Event): void {
    for (const [id, entry] of this.#entries.entries()) {
      if (entry.signal === event.target) this.#giveUp(id, cancelled(entry.label, entry.signal));
    }
  }

  #giveUp(id: number, error: SockkitError): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.settle(id, error);
    const abandoned = this.#abandoned ?? new Set<number>();
    this.#abandoned = abandoned.add(id);
    if (abandoned.size > MAX_ABANDONED) abandoned.delete(abandoned.values().next().value!);
    this.#onGiveUp?.(id, entry.data);
  }

  /** Arms the timer for `deadline` (Infinity: disarms it). */
  #arm(deadline: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = deadline;
    if (deadline === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimeout(() => this.#expire(), Math.max(0, deadline - this.#clock.now()));
    unrefTimer(this.#timer);
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.#entries.entries()) {
      if (entry.deadline <= now) this.#giveUp(id, timedOut(entry));
      else if (entry.deadline < next) next = entry.deadline;
    }
    this.#arm(next);
  }

  #take(id: number): Entry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    entry.signal?.removeEventListener('abort', this);
    return entry;
  }
}

const MAX_ABANDONED = 256;

function timedOut(entry: Entry): SockkitError {
  return new SockkitError('TIMEOUT', `${entry.label} timed out after ${entry.timeoutMs} ms`);
}

function cancelled(label: string, signal: AbortSignal): SockkitError {
  return new SockkitError('CANCELLED', `${label} was cancelled`, { cause: signal.reason });
}
