/**
 * Running one call from a client: limits, lookup, input validation, middleware, the handler,
 * output validation, and exactly one reply. Handler failures that are not SockkitErrors are
 * logged here and reach the caller as INTERNAL without detail.
 */
import {
  type ClientMessage,
  errorFrame,
  lookup,
  resultFrame,
  SockkitError,
  type TimerHandle,
  validate,
} from '@sockkit/core';
import type { Connection } from './connection.js';
import type { CallContext, MiddlewareCall } from './options.js';
import type { ServerRuntime } from './runtime.js';

/**
 * One running call and the context its handler sees. The AbortController behind `signal`
 * is created only if the handler reads `signal`, so a call that never looks costs none.
 */
export class CallState implements CallContext {
  private controller: AbortController | undefined;
  private abortReason: SockkitError | undefined;
  /** Set when the caller no longer wants the reply (cancelled, or the socket closed). */
  settled = false;

  constructor(
    readonly conn: Connection,
    readonly id: number,
    readonly procedure: string,
  ) {}

  get auth(): unknown {
    return this.conn.auth;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Aborts the handler's signal; the reply, if any, is dropped. */
  abort(reason: SockkitError): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.settled = true;
    this.controller?.abort(reason);
  }
}

type CallMessage = Extract<ClientMessage, { t: 'call' }>;

/** Handles a `call` message. */
export function handleCall(rt: ServerRuntime, conn: Connection, message: CallMessage): void {
  const { id, p: name } = message;
  conn.inflight ??= new Map();
  const inflight = conn.inflight;
  if (inflight.has(id)) {
    conn.sendError(id, { code: 'BAD_REQUEST', message: `call id ${id} is already in flight` });
    return;
  }
  if (!rt.accepting) {
    conn.sendError(id, { code: 'UNAVAILABLE', message: 'server is shutting down' });
    return;
  }
  if (inflight.size >= rt.limits.maxCallsInFlight) {
    conn.sendError(id, {
      code: 'LIMIT_EXCEEDED',
      message: `more than ${rt.limits.maxCallsInFlight} calls in flight`,
      details: { limit: rt.limits.maxCallsInFlight },
    });
    return;
  }
  const def = lookup(rt.contract.server, name);
  const handler = def && Object.hasOwn(rt.handlers, name) ? rt.handlers[name] : undefined;
  if (!def || !handler) {
    conn.sendError(id, { code: 'NOT_FOUND', message: `no procedure '${name}'` });
    return;
  }
  let input: unknown;
  try {
    const decoded = rt.codec.decode(message.d, message.m);
    if (def.input) input = validate(def.input, decoded, `input of ${name}`);
    else if (decoded !== undefined)
      throw new SockkitError('BAD_REQUEST', `procedure '${name}' takes no input`);
  } catch (error) {
    conn.sendError(id, SockkitError.from(error).toWire());
    return;
  }
  const call = new CallState(conn, id, name);
  inflight.set(id, call);
  run(rt, call, handler, input, def.output, def.timeout);
}

/**
 * Runs the handler and replies once. A handler that returns a plain value is answered in the
 * same turn, without a promise: most are synchronous, and each promise hop adds latency.
 */
function run(
  rt: ServerRuntime,
  call: CallState,
  handler: (input: unknown, ctx: unknown) => unknown,
  input: unknown,
  output: import('zod').ZodType,
  timeoutMs: number | undefined,
): void {
  const timer =
    timeoutMs === undefined
      ? undefined
      : rt.clock.setTimeout(() => {
          call.conn.sendError(call.id, {
            code: 'TIMEOUT',
            message: `${call.procedure} timed out after ${timeoutMs} ms`,
          });
          call.abort(new SockkitError('TIMEOUT', 'handler timed out'));
          call.conn.inflight?.delete(call.id);
        }, timeoutMs);
  let value: unknown;
  try {
    value = rt.middleware.length === 0 ? handler(input, call) : withMiddleware(rt, call, input, handler);
  } catch (error) {
    reply(rt, call, timer, failure(rt, call, error));
    return;
  }
  if (isThenable(value)) {
    value.then(
      (resolved) => succeed(rt, call, timer, output, resolved),
      (error: unknown) => reply(rt, call, timer, failure(rt, call, error)),
    );
  } else succeed(rt, call, timer, output, value);
}

function succeed(
  rt: ServerRuntime,
  call: CallState,
  timer: TimerHandle | undefined,
  output: import('zod').ZodType,
  value: unknown,
): void {
  let frame: string;
  try {
    const checked = rt.validateOutput ? checkOutput(output, value, call.procedure) : value;
    frame = resultFrame(call.id, rt.codec.encode(checked));
  } catch (error) {
    frame = failure(rt, call, error);
  }
  reply(rt, call, timer, frame);
}

/** Sends the one reply of a call, unless it was cancelled or timed out meanwhile. */
function reply(rt: ServerRuntime, call: CallState, timer: TimerHandle | undefined, frame: string): void {
  if (timer !== undefined) rt.clock.clearTimeout(timer);
  if (call.settled) return;
  call.settled = true;
  call.conn.inflight?.delete(call.id);
  call.conn.send(frame);
}

/** The error frame for a failed call; unexpected failures are logged and stay on the server. */
function failure(rt: ServerRuntime, call: CallState, error: unknown): string {
  const err = SockkitError.from(error);
  if (err.code === 'INTERNAL' && !call.settled) {
    rt.logger.error(`handler '${call.procedure}' failed`, { conn: call.conn.id, error: err.cause ?? err });
  }
  return errorFrame(call.id, err.toWire());
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function checkOutput(output: import('zod').ZodType, value: unknown, procedure: string): unknown {
  const parsed = output.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SockkitError('INTERNAL', 'internal server error', {
    cause: new Error(`output of '${procedure}' does not match the contract: ${parsed.error.message}`),
  });
}

function withMiddleware(
  rt: ServerRuntime,
  call: CallState,
  input: unknown,
  handler: (input: unknown, ctx: unknown) => unknown,
): Promise<unknown> {
  const info: MiddlewareCall<unknown, unknown> = { procedure: call.procedure, input, ctx: call };
  const step = (index: number): Promise<unknown> => {
    const middleware = rt.middleware[index];
    if (!middleware) return Promise.resolve(handler(input, call));
    return middleware(info, () => step(index + 1));
  };
  return step(0);
}

/** Handles a `cancel`: the handler's signal aborts and its reply is dropped. */
export function cancelCall(conn: Connection, id: number): void {
  const call = conn.inflight?.get(id);
  if (!call) return;
  conn.inflight!.delete(id);
  call.abort(new SockkitError('CANCELLED', 'cancelled by the client'));
}
