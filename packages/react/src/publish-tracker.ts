/**
 * A topic's publishes as a store. Publishes never supersede each other (each is its own
 * message): `pending` holds while any is in flight and every failure lands in `error`.
 * `abortAll()` aborts what is in flight: one still queued while offline is never sent; one
 * already sent is published anyway, only its answer is no longer awaited. Nothing here is
 * React's: `usePublish` owns one per component.
 */
import type { PublishOptions, PublishResult } from '@sockkit/client';
import type { SockkitError } from '@sockkit/core';
import { toSockkitError } from './errors.js';
import { createStore, type Store } from './store.js';

/** A snapshot of a topic's publishes. */
export interface PublishState {
  /** Where the latest confirmed publish landed (`offset` absent for volatile messages). */
  readonly result: PublishResult | undefined;
  /** Why the latest failed publish failed; cleared when a publish starts. */
  readonly error: SockkitError | undefined;
  /** Whether any publish is in flight. */
  readonly pending: boolean;
}

const IDLE: PublishState = { result: undefined, error: undefined, pending: false };

/** The publishes of one hook. */
export class PublishTracker {
  readonly store: Store<PublishState> = createStore(IDLE);
  private readonly inFlight = new Set<AbortController>();

  /**
   * Runs `send` with `options` plus a signal that also aborts on `abortAll()`; the caller's own
   * `signal` still aborts it. Resolves with where it landed, or `undefined` when it failed
   * (see `error`) or was aborted by `abortAll()`.
   */
  async run(
    send: (options: PublishOptions) => Promise<PublishResult>,
    options: PublishOptions,
  ): Promise<PublishResult | undefined> {
    const controller = new AbortController();
    const outer = options.signal;
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    this.inFlight.add(controller);
    this.store.update({ pending: true, error: undefined });
    try {
      const landed = await send({ ...options, signal: controller.signal });
      if (this.inFlight.has(controller)) this.store.update({ result: landed });
      return this.inFlight.has(controller) ? landed : undefined;
    } catch (thrown) {
      if (this.inFlight.has(controller)) this.store.update({ error: toSockkitError(thrown) });
      return undefined;
    } finally {
      outer?.removeEventListener('abort', forward);
      if (this.inFlight.delete(controller)) this.store.update({ pending: this.inFlight.size > 0 });
    }
  }

  /** Aborts every publish in flight; their outcomes no longer reach the store. */
  abortAll(): void {
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    if (this.store.get().pending) this.store.update({ pending: false });
  }

  /** Clears `result` and `error`; publishes in flight go on. */
  reset(): void {
    this.store.update({ result: undefined, error: undefined });
  }
}
