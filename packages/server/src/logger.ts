/**
 * The logger the server reports through. Handler failures are logged here with their cause,
 * because the caller only ever sees INTERNAL.
 */

/** A structured logger; `console` fits, and so do pino and winston. */
export interface Logger {
  /** Frames in and out, with the server's `debug` option or SOCKKIT_DEBUG=1; optional. */
  debug?(message: string, meta?: Record<string, unknown>): void;
  /** Notable events: refused connections (within a budget), the broker back; optional. */
  info?(message: string, meta?: Record<string, unknown>): void;
  /** Something went wrong with one connection (slow consumer, socket error). */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** A handler or hook failed; `meta.error` holds the cause. */
  error(message: string, meta?: Record<string, unknown>): void;
}

/**
 * Default: everything to the console. Info lines (refused connections, a broker back) are
 * few: refusals are within a budget per server. Debug lines come only with the server's
 * `debug` option or SOCKKIT_DEBUG=1.
 */
export const consoleLogger: Logger = {
  debug: (message, meta) => console.debug(`[sockkit] ${message}`, meta ?? ''),
  info: (message, meta) => console.info(`[sockkit] ${message}`, meta ?? ''),
  warn: (message, meta) => console.warn(`[sockkit] ${message}`, meta ?? ''),
  error: (message, meta) => console.error(`[sockkit] ${message}`, meta ?? ''),
};

/** A logger that drops everything (tests that provoke errors on purpose). */
export const silentLogger: Logger = { warn: () => {}, error: () => {} };
