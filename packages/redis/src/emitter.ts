/**
 * A tiny typed event emitter: `on` returns the function that removes the listener. A
 * throwing listener does not stop the others; its error is rethrown on a later tick.
 */

/** Map of event name to listener arguments. */
export type EventMap = Record<string, unknown[]>;

/** Typed emitter. */
export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<(...args: never[]) => void>>();

  /** Adds a listener; returns its remover. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (...args: never[]) => void);
    return () => {
      set.delete(listener as (...args: never[]) => void);
    };
  }

  /** Calls every listener of `event`. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...args: E[K]) => void)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
