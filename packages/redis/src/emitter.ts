/**
 * A tiny typed event emitter: `on` returns the function that removes the listener. A
 * throwing listener does not stop the others; its error is rethrown on a later tick.
 */

/** Map of event name to listener arguments. */
export type EventMap = Record<string, unknown[]>;

/** Typed emitter. */
export class Emitter<E extends EventMap> {
  private readonly listeners: { [K in keyof E]?: Set<(...args: E[K]) => void> } = {};

  /** Adds a listener; returns its remover. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners[event];
    if (!set) this.listeners[event] = set = new Set();
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Calls every listener of `event`. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners[event];
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
