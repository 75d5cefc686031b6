/**
 * One procedure's calls as a store: only the latest call may write `data` and `error` (a newer
 * call aborts the older, whose late reply is dropped), and `abort()` cancels the one in flight.
 * Nothing here is React's: `useCall` owns one per component and drives it from effects.
 */
import type { SockkitError } from '@sockkit/core';
import { toSockkitError } from './errors.js';
import { createStore, type Store } from './store.js';

/** Where a call stands. */
export type CallStatus = 'idle' | 'pending' | 'success' | 'error';

/** A snapshot of a procedure's calls. */
export interface CallState<Output> {
  /** `'idle'` before the first call, then that of the latest call. */
  readonly status: CallStatus;
  /** The latest successful result; kept while a new call is pending. */
  readonly data: Output | undefined;
  /** The latest call's error, cleared when a call starts. */
  readonly error: SockkitError | undefined;
  /** Whether a call is in flight. */
  readonly pending: boolean;
}

const IDLE: CallState<never> = { status: 'idle', data: undefined, error: undefined, pending: false };

/** The calls of one procedure, latest wins. */
export class CallRunner<Output> {
  readonly store: Store<CallState<Output>> = createStore<CallState<Output>>(IDLE);
  private latest = 0;
  private controller: AbortController | undefined;

  /**
   * Runs `call` with a signal that aborts when a newer call starts or `abort()` is called.
   * Resolves with the output, or `undefined` when the call failed or was superseded.
   */
  async run(call: (signal: AbortSignal) => Promise<Output>): Promise<Output | undefined> {
    const id = ++this.latest;
    this.controller?.abort();
    const own = new AbortController();
    this.controller = own;
    this.store.update({ status: 'pending', pending: true, error: undefined });
    try {
      const output = await call(own.signal);
      if (id !== this.latest) return undefined;
      this.store.update({ status: 'success', data: output, pending: false });
      return output;
    } catch (thrown) {
      if (id === this.latest)
        this.store.update({ status: 'error', error: toSockkitError(thrown), pending: false });
      return undefined;
    } finally {
      if (id === this.latest) this.controller = undefined;
    }
  }

  /** Aborts the call in flight (the server hears a cancel); its outcome is dropped. */
  abort(): void {
    this.latest++;
    if (this.controller === undefined) return;
    this.controller.abort();
    this.controller = undefined;
    const { data } = this.store.get();
    this.store.update({ pending: false, status: data === undefined ? 'idle' : 'success' });
  }

  /** Aborts the call in flight and forgets `data` and `error`. */
  reset(): void {
    this.abort();
    this.store.set(IDLE);
  }
}
