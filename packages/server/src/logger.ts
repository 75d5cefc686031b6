/**
 * The logger the server reports through, in pino's calling convention: the fields first, then
 * the message, so a pino logger is taken as it is (and `console` still prints both). Handler
 * failures are logged here with their cause, because the caller only ever sees INTERNAL.
 *
 * Levels (docs/operations.md has the table): debug for frames and connections opened and
 * closed (with the `debug` option); info for refused connections and the broker back; warn for
 * what one connection did or suffered (slow consumer, rate-limit or protocol abuse closes, its
 * socket errors) and the broker lost; error for failed handlers, a throwing `authenticate`, a
 * failing observer.
 */

/** Fields of a log line. */
export type LogFields = Record<string, unknown>;

/**
 * A structured logger taking `(fields, message)`: a pino logger fits as it is, and so does
 * `console`. Lines about one connection go through `child({ conn, user })` when it exists.
 */
export interface Logger {
  /** Frames in and out, connections opened and closed, with the server's `debug` option or SOCKKIT_DEBUG=1; optional. */
  debug?(fields: LogFields, message: string): void;
  /** Notable events: refused connections (within a budget), the broker back; optional. */
  info?(fields: LogFields, message: string): void;
  /** Something went wrong with one connection (slow consumer, abuse, socket error) or the broker. */
  warn(fields: LogFields, message: string): void;
  /** A handler, hook or observer failed; `fields.err` holds the cause (pino serializes `err`). */
  error(fields: LogFields, message: string): void;
  /** A logger whose lines all carry `bindings` (pino's child loggers); optional. */
  child?(bindings: LogFields): Logger;
}

/**
 * Default: everything to the console. Info lines (refused connections, a broker back) are
 * few: refusals are within a budget per server. Debug lines come only with the server's
 * `debug` option or SOCKKIT_DEBUG=1.
 */
export const consoleLogger: Logger = {
  debug: (fields, message) => console.debug(`[sockkit] ${message}`, fields),
  info: (fields, message) => console.info(`[sockkit] ${message}`, fields),
  warn: (fields, message) => console.warn(`[sockkit] ${message}`, fields),
  error: (fields, message) => console.error(`[sockkit] ${message}`, fields),
};

/** A logger that drops everything (tests that provoke errors on purpose). */
export const silentLogger: Logger = { warn: () => {}, error: () => {} };

/**
 * `logger` with `bindings` on every line: its own `child` when it has one (pino), else a
 * wrapper that adds them to the fields of each line.
 */
export function withBindings(logger: Logger, bindings: LogFields): Logger {
  if (logger.child) return logger.child(bindings);
  const bound: Logger = {
    warn: (fields, message) => logger.warn({ ...bindings, ...fields }, message),
    error: (fields, message) => logger.error({ ...bindings, ...fields }, message),
  };
  if (logger.debug) bound.debug = (fields, message) => logger.debug?.({ ...bindings, ...fields }, message);
  if (logger.info) bound.info = (fields, message) => logger.info?.({ ...bindings, ...fields }, message);
  return bound;
}
