/**
 * Reconnect delays: exponential backoff with full jitter, so clients dropped together do not
 * come back together. `random` is injectable for tests.
 */

/** Reconnect policy. */
export interface ReconnectOptions {
  /** First delay ceiling, ms. Default 250. */
  initialDelayMs?: number;
  /** Largest delay ceiling, ms. Default 10,000. */
  maxDelayMs?: number;
  /** Attempts before giving up (state `closed`). Default Infinity. */
  maxAttempts?: number;
  /** A connection open this long resets the attempt count, ms. Default 5,000. */
  stableAfterMs?: number;
}

/** Resolved policy. */
export type Backoff = Required<ReconnectOptions>;

/** Fills in defaults. */
export function backoffPolicy(options: ReconnectOptions | false | undefined): Backoff {
  const o = options || {};
  return {
    initialDelayMs: o.initialDelayMs ?? 250,
    maxDelayMs: o.maxDelayMs ?? 10_000,
    maxAttempts: options === false ? 0 : (o.maxAttempts ?? Number.POSITIVE_INFINITY),
    stableAfterMs: o.stableAfterMs ?? 5_000,
  };
}

/** Delay before reconnect attempt `attempt` (0-based): uniform in [0, min(max, initial·2^attempt)]. */
export function reconnectDelay(policy: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
