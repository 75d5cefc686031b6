/**
 * Running the calls one client makes: limits, lookup, input validation, middleware, the
 * handler, output validation, and exactly one reply per call. The table of calls in flight
 * lives here. A call counts against `maxCallsInFlight` until its handler has settled, even
 * after the client cancelled it or it timed out: a handler that ignores its signal keeps
 * using the server, so the client may not start another in its place. A cancelled call is
 * answered with CANCELLED once its handler settles, so the client knows the slot is free.
 * Handler failures that are not SockkitErrors are logged here and reach the caller as INTERNAL
 * without detail. Observers (observer.ts) see each call start and end; with none, nothing is
 * made for them.
 */
import { type ErrorCode, SockkitError, type WireError } from '@sockkit/core';
import {
  type ClientMessage,
  errorFrame,
  IdTable,
  lookup,
  resultFrame,
  utf8Length,
  validate,
} from '@sockkit/core/protocol';
import { CallState } from './call-state.js';
import { checkOutput, failureFrame, isThenable, withMiddleware } from './handler-run.js';
import { type CallEnd, type CallEvent, type CallWatch, UNKNOWN_PROCEDURE } from './observer.js';
import type { Peer } from './peer.js';
import type { AnyHandler, ServerRuntime } from './runtime.js';
import { callsLimit, type Slots } from './slots.js';

type CallMessage = Extract<ClientMessage, { t: 'call' }>;

/** The calls of one connection. */
export class InboundCalls {
  /**
   * Every call whose handler has not settled yet, answered or not. An IdTable, not a Map: a
   * Map going from one entry to none and back rehashes on every call (bench/alloc.mjs).
   */
  private readonly running = new IdTable<CallState>();

  constructor(
    private readonly peer: Peer,
    private readonly rt: ServerRuntime,
    private readonly slots: Slots,
  ) {}

  /** Whether call `id` has a handler still running. */
  has(id: number): boolean {
    return this.running.has(id);
  }

  /** Handlers still running, cancelled ones included. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Handles a `call` message; `bytes`: the frame's size when the call came alone in it (for
   * observers).
   */
  handle(message: CallMessage, bytes?: number): void {
    const { rt } = this;
    const { id, p: name } = message;
    const def = lookup(rt.contract.server, name);
    const watch = rt.observers.hub?.callStarted(
      new ArrivedCall(this.peer, message, def ? name : UNKNOWN_PROCEDURE, bytes),
    );
    const startedAt = watch ? performance.now() : 0;
    if (this.slots.has(id))
      return this.refuse(id, watch, startedAt, {
        code: 'BAD_REQUEST',
        message: `call id ${id} is already in flight`,
      });
    if (!rt.accepting)
      return this.refuse(id, watch, startedAt, { code: 'UNAVAILABLE', message: 'server is shutting down' });
    if (this.slots.full()) return this.refuse(id, watch, startedAt, callsLimit(rt));
    const handler = def && Object.hasOwn(rt.handlers, name) ? rt.handlers[name] : undefined;
    if (!def || !handler)
      return this.refuse(id, watch, startedAt, { code: 'NOT_FOUND', message: `no procedure '${name}'` });
    let input: unknown;
    try {
      const decoded = rt.codec.decode(message.d, message.m);
      if (def.input) input = validate(def.input, decoded, `input of ${name}`);
      else if (decoded !== undefined)
        throw new SockkitError('BAD_REQUEST', `procedure '${name}' takes no input`);
    } catch (error) {
      return this.refuse(id, watch, startedAt, SockkitError.from(error).toWire());
    }
    const call = new CallState(this.peer, rt, id, name);
    if (watch) {
      call.watch = watch;
      call.startedAt = startedAt;
    }
    this.running.set(id, call);
    this.run(call, handler, input, def.output, def.timeout);
  }

  /** Answers a call at once with `error` (no handler ran). */
  private refuse(id: number, watch: CallWatch | undefined, startedAt: number, error: WireError): void {
    const frame = errorFrame(id, error);
    this.peer.send(frame);
    if (watch) this.finish(watch, new Ended(error.code, frame, performance.now() - startedAt));
  }

  /** Tells a call's observers it ended; one that throws is logged, and the call is not its concern. */
  private finish(watch: CallWatch, end: CallEnd): void {
    try {
      watch.finished(end);
    } catch (error) {
      this.rt.observers.failed('finished', error);
    }
  }

  /** Handles a `cancel`: the handler's signal aborts; CANCELLED answers once it settled. */
  cancel(id: number): void {
    const call = this.running.get(id);
    if (call?.phase !== 'running') return;
    call.phase = 'cancelled';
    call.abort(new SockkitError('CANCELLED', 'cancelled by the client'));
  }

  /** The connection closed: every handler's signal aborts; nothing is answered. */
  abortAll(reason: SockkitError): void {
    for (const [, call] of this.running.entries()) {
      if (call.watch && call.phase !== 'answered') this.finish(call.watch, end(call, reason.code, ''));
      call.phase = 'answered';
      call.abort(reason);
    }
  }

  /**
   * Runs the handler. A handler that returns a plain value is answered in the same turn,
   * without a promise: most are synchronous, and each promise hop adds latency.
   */
  private run(
    call: CallState,
    handler: AnyHandler,
    input: unknown,
    output: import('zod').ZodType,
    timeoutMs: number | undefined,
  ): void {
    if (timeoutMs !== undefined) {
      call.timer = this.rt.clock.setTimeout(() => {
        call.timer = undefined;
        call.code = 'TIMEOUT';
        this.answer(call, errorFrame(call.id, timeoutError(call, timeoutMs)));
        call.abort(new SockkitError('TIMEOUT', 'handler timed out'));
      }, timeoutMs);
    }
    let value: unknown;
    try {
      // The closure for an observer's `run` is made only when one wraps the handler.
      value = call.watch?.run
        ? call.watch.run(() => this.invoke(call, handler, input))
        : this.invoke(call, handler, input);
    } catch (error) {
      this.settled(call, this.failure(call, error));
      return;
    }
    if (isThenable(value)) {
      value.then(
        (resolved) => this.settled(call, this.success(call, output, resolved)),
        (error: unknown) => this.settled(call, this.failure(call, error)),
      );
    } else this.settled(call, this.success(call, output, value));
  }

  private invoke(call: CallState, handler: AnyHandler, input: unknown): unknown {
    return this.rt.middleware.length === 0
      ? handler(input, call)
      : withMiddleware(this.rt, call, input, () => handler(input, call));
  }

  /** The handler settled: the call leaves the table and its one answer goes out. */
  private settled(call: CallState, frame: string): void {
    if (call.timer !== undefined) this.rt.clock.clearTimeout(call.timer);
    this.running.delete(call.id);
    if (call.phase === 'cancelled') {
      call.code = 'CANCELLED';
      this.deliver(call, errorFrame(call.id, { code: 'CANCELLED', message: 'cancelled by the client' }));
    } else this.answer(call, frame);
  }

  private answer(call: CallState, frame: string): void {
    if (call.phase === 'running') this.deliver(call, frame);
  }

  /** Sends the call's one answer. */
  private deliver(call: CallState, frame: string): void {
    call.phase = 'answered';
    this.peer.send(frame);
    if (call.watch) this.finish(call.watch, end(call, call.code, frame));
  }

  private success(call: CallState, output: import('zod').ZodType, value: unknown): string {
    try {
      const checked = this.rt.validateOutput
        ? checkOutput(output, value, `output of '${call.procedure}'`)
        : value;
      return resultFrame(call.id, this.rt.codec.encode(checked));
    } catch (error) {
      return this.failure(call, error);
    }
  }

  private failure(call: CallState, error: unknown): string {
    return failureFrame(this.peer.log, call, `handler '${call.procedure}'`, error);
  }
}

/** How `call` ended, answered with `frame` ('' when the connection closed first). */
function end(call: CallState, code: 'OK' | ErrorCode, frame: string): CallEnd {
  return new Ended(code, frame, performance.now() - call.startedAt);
}

/**
 * A call's end as observers see it. The answer's size is measured only if an observer reads it
 * (a tracer recording the call does, metrics do not).
 */
class Ended implements CallEnd {
  private size: number | undefined;

  constructor(
    readonly code: 'OK' | ErrorCode,
    private readonly frame: string,
    readonly durationMs: number,
  ) {}

  get bytes(): number {
    this.size ??= utf8Length(this.frame);
    return this.size;
  }
}

/**
 * A call as observers see it on arrival. Its size, when the call shared its frame, is measured
 * only if an observer reads it (a tracer does, metrics do not): it takes serialising the payload.
 */
class ArrivedCall implements CallEvent {
  readonly id: number;
  readonly traceparent: string | undefined;
  private frameBytes: number | undefined;

  constructor(
    readonly conn: Peer,
    private readonly message: CallMessage,
    readonly procedure: string,
    frameBytes: number | undefined,
  ) {
    this.id = message.id;
    this.traceparent = message.tp;
    this.frameBytes = frameBytes;
  }

  get bytes(): number {
    if (this.frameBytes === undefined) {
      const { d, m } = this.message;
      const json = d === undefined ? 0 : utf8Length(JSON.stringify(d));
      this.frameBytes = m === undefined ? json : json + utf8Length(JSON.stringify(m));
    }
    return this.frameBytes;
  }
}

function timeoutError(call: CallState, timeoutMs: number) {
  return { code: 'TIMEOUT' as const, message: `${call.procedure} timed out after ${timeoutMs} ms` };
}
