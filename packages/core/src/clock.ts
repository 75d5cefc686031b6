/**
 * The time source sockkit's timers go through. Calls reach the global timer functions at call
 * time, so vitest's fake timers drive every timeout, backoff and heartbeat in tests.
 */

/** Opaque handle of a scheduled callback. */
export type TimerHandle = ReturnType<typeof globalThis.setTimeout>;

/** Timers and the current time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `ms`. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a {@link Clock.setTimeout}. */
  clearTimeout(handle: TimerHandle): void;
  /** Runs `callback` every `ms`. */
  setInterval(callback: () => void, ms: number): TimerHandle;
  /** Cancels a {@link Clock.setInterval}. */
  clearInterval(handle: TimerHandle): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle),
};

/** Unrefs a Node timer so it never keeps the process alive; a no-op in browsers. */
export function unrefTimer(handle: TimerHandle): void {
  (handle as { unref?: () => void }).unref?.();
}
