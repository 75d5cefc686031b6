/**
 * A tiny typed event emitter: `on` returns the function that removes the listener, so
 * teardown is one call (and a list of them is torn down together). Shared by the client's
 * events and by brokers' status events.
 */

/** Map of event name to listener arguments. */
export type EventMap = Record<string, unknown[]>;

/** Typed emitter. */
export class Emitter<E extends EventMap> {
  private listeners: { [K in keyof E]?: Set<(...args: E[K]) => void> } = {};

  /** Adds a listener; returns its remover. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners[event];
    if (!set) this.listeners[event] = set = new Set();
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Calls every listener of `event`; a throwing listener does not stop the others. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners[event];
    if (!set) return;
    // Iterated in place (no copy per event: this runs once per delivered message). A listener
    // removed during the loop is skipped; one added is called too.
    for (const listener of set) {
      try {
        listener(...args);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  /** Whether anyone listens to `event`. */
  protected listens(event: keyof E): boolean {
    return (this.listeners[event]?.size ?? 0) > 0;
  }
}

function reportListenerError(error: unknown): void {
  // Surface it without breaking the emitter's loop, as browsers do for event handlers.
  queueMicrotask(() => {
    throw error;
  });
}
