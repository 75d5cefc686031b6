/**
 * A tiny external store for `useSyncExternalStore`: one immutable snapshot, replaced (never
 * mutated) on every change, so a render reads one consistent value and React can tell by
 * identity whether anything changed. Each hook instance owns one.
 */

/** An external store holding snapshots of type `T`. */
export interface Store<T> {
  /** The snapshot this store started with; also what a server render sees. */
  readonly initial: T;
  /** The current snapshot (the same object until something changes). */
  get: () => T;
  /** Replaces the snapshot with `{ ...current, ...patch }` and tells the listeners. */
  update: (patch: Partial<T>) => void;
  /** Replaces the snapshot and tells the listeners. */
  set: (next: T) => void;
  /** Listens to changes; returns the remover. */
  subscribe: (listener: () => void) => () => void;
}

/** A store starting at `initial`. */
export function createStore<T extends object>(initial: T): Store<T> {
  let current = initial;
  const listeners = new Set<() => void>();
  const set = (next: T) => {
    current = next;
    for (const listener of [...listeners]) listener();
  };
  return {
    initial,
    get: () => current,
    set,
    update: (patch) => set({ ...current, ...patch }),
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
