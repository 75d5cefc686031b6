/**
 * The logger the server reports through. Handler failures are logged here with their cause,
 * because the caller only ever sees INTERNAL.
 */

/** A structured logger; `console` fits, and so do pino and winston. */
export interface Logger {
  /** Chatty detail; optional. */
  debug?(message: string, meta?: Record<string, unknown>): void;
  /** Notable events; optional. */
  info?(message: string, meta?: Record<string, unknown>): void;
  /** Something went wrong with one connection (slow consumer, socket error). */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** A handler or hook failed; `meta.error` holds the cause. */
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Default: warnings and errors to the console. */
export const consoleLogger: Logger = {
  warn: (message, meta) => console.warn(`[sockkit] ${message}`, meta ?? ''),
  error: (message, meta) => console.error(`[sockkit] ${message}`, meta ?? ''),
};

/** A logger that drops everything (tests that provoke errors on purpose). */
export const silentLogger: Logger = { warn: () => {}, error: () => {} };
