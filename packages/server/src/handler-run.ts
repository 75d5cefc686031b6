/**
 * What running any handler takes, calls and streams alike: middleware around it, telling a
 * promise from a plain value, checking a value against the contract before it leaves, and the
 * error frame of a failure.
 */
import { SockkitError } from '@sockkit/core';
import { errorFrame } from '@sockkit/core/protocol';
import type * as z from 'zod';
import type { CallState } from './call-state.js';
import type { Logger } from './logger.js';
import type { MiddlewareCall } from './options.js';
import type { ServerRuntime } from './runtime.js';

/** Runs `invoke` inside the server's middleware, first to last. */
export function withMiddleware(
  rt: ServerRuntime,
  call: CallState,
  input: unknown,
  invoke: () => unknown,
): Promise<unknown> {
  const { middleware } = rt;
  const info: MiddlewareCall<unknown, unknown> = { procedure: call.procedure, input, ctx: call };
  const step = (index: number): Promise<unknown> => {
    const next = middleware[index];
    if (!next) return Promise.resolve(invoke());
    return next(info, () => step(index + 1));
  };
  return step(0);
}

/** Whether `value` is a promise (or any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * `value` parsed by `schema`; a mismatch is the server's own bug, so it becomes INTERNAL
 * (logged where it is answered) with the reason kept as the cause.
 */
export function checkOutput(schema: z.ZodType, value: unknown, what: string): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SockkitError('INTERNAL', 'internal server error', {
    cause: new Error(`${what} does not match the contract: ${parsed.error.message}`),
  });
}

/**
 * The error frame for a failed handler (`what`: "handler 'x'", "stream 'x'"). Failures that are
 * not SockkitErrors are logged here, while the call still runs, and reach the caller as INTERNAL
 * without detail.
 */
export function failureFrame(log: Logger, call: CallState, what: string, error: unknown): string {
  const err = SockkitError.from(error);
  if (call.phase === 'running') {
    call.code = err.code;
    if (err.code === 'INTERNAL')
      log.error({ procedure: call.procedure, err: err.cause ?? err }, `${what} failed`);
  }
  return errorFrame(call.id, err.toWire());
}
