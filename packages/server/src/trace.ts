/**
 * Debug tracing of the frames of a connection, through `logger.debug`: on with the server's
 * `debug` option or SOCKKIT_DEBUG=1, and only when the logger has `debug`. Connections check
 * one boolean before calling here, so with tracing off the hot path pays nothing else. Each
 * message is traced on its own (a batch is several lines), cut to 1,000 characters, with the
 * params of `hello` and `auth` (tokens) left out; a frame that holds no message is traced as
 * it came, with its size.
 */
import type { Logger } from './logger.js';

/** Longest text a trace line carries. */
const MAX_TRACE_CHARS = 1_000;

/** Whether frames are traced: `debug`, else SOCKKIT_DEBUG=1; never without `logger.debug`. */
export function tracing(debug: boolean | undefined, logger: Logger): boolean {
  return (debug ?? process.env.SOCKKIT_DEBUG === '1') && typeof logger.debug === 'function';
}

/** Traces what arrived in one frame. */
export function traceIn(logger: Logger, conn: string, text: string, bytes: number): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    logger.debug?.({ conn, bytes, text: cut(text) }, 'in');
    return;
  }
  for (const message of Array.isArray(parsed) && parsed.length > 0 ? parsed : [parsed])
    logger.debug?.({ conn, text: cut(JSON.stringify(withoutSecrets(message))) }, 'in');
}

/** Traces frames as they leave, one line each. */
export function traceOut(logger: Logger, conn: string, frames: readonly string[]): void {
  for (const frame of frames) logger.debug?.({ conn, text: cut(frame) }, 'out');
}

function withoutSecrets(message: unknown): unknown {
  if (typeof message !== 'object' || message === null || !('params' in message)) return message;
  const { t } = message as { t?: unknown };
  return t === 'hello' || t === 'auth' ? { ...message, params: '[not logged]' } : message;
}

function cut(text: string): string {
  return text.length > MAX_TRACE_CHARS ? `${text.slice(0, MAX_TRACE_CHARS)}…` : text;
}
