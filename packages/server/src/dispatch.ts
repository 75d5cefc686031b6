/**
 * Running the calls one client makes: limits, lookup, input validation, middleware, the
 * handler, output validation, and exactly one reply per call. The table of calls in flight
 * lives here. A call counts against `maxCallsInFlight` until its handler has settled, even
 * after the client cancelled it or it timed out: a handler that ignores its signal keeps
 * using the server, so the client may not start another in its place. A cancelled call is
 * answered with CANCELLED once its handler settles, so the client knows the slot is free.
 * Handler failures that are not SockkitErrors are logged here and reach the caller as INTERNAL
 * without detail.
 */
import { SockkitError } from '@sockkit/core';
import { type ClientMessage, errorFrame, lookup, resultFrame, validate } from '@sockkit/core/protocol';
import { CallState } from './call-state.js';
import { checkOutput, failureFrame, isThenable, withMiddleware } from './handler-run.js';
import type { Peer } from './peer.js';
import type { AnyHandler, ServerRuntime } from './runtime.js';
import { callsLimit, type Slots } from './slots.js';

type CallMessage = Extract<ClientMessage, { t: 'call' }>;

/** The calls of one connection. */
export class InboundCalls {
  /** Every call whose handler has not settled yet, answered or not. */
  private readonly running = new Map<number, CallState>();

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

  /** Handles a `call` message. */
  handle(message: CallMessage): void {
    const { rt, peer } = this;
    const { id, p: name } = message;
    if (this.slots.has(id)) {
      peer.sendError(id, { code: 'BAD_REQUEST', message: `call id ${id} is already in flight` });
      return;
    }
    if (!rt.accepting) {
      peer.sendError(id, { code: 'UNAVAILABLE', message: 'server is shutting down' });
      return;
    }
    if (this.slots.full()) return peer.sendError(id, callsLimit(rt));
    const def = lookup(rt.contract.server, name);
    const handler = def && Object.hasOwn(rt.handlers, name) ? rt.handlers[name] : undefined;
    if (!def || !handler) {
      peer.sendError(id, { code: 'NOT_FOUND', message: `no procedure '${name}'` });
      return;
    }
    let input: unknown;
    try {
      const decoded = rt.codec.decode(message.d, message.m);
      if (def.input) input = validate(def.input, decoded, `input of ${name}`);
      else if (decoded !== undefined)
        throw new SockkitError('BAD_REQUEST', `procedure '${name}' takes no input`);
    } catch (error) {
      peer.sendError(id, SockkitError.from(error).toWire());
      return;
    }
    const call = new CallState(peer, rt, id, name);
    this.running.set(id, call);
    this.run(call, handler, input, def.output, def.timeout);
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
    for (const call of this.running.values()) {
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
        this.answer(call, errorFrame(call.id, timeoutError(call, timeoutMs)));
        call.abort(new SockkitError('TIMEOUT', 'handler timed out'));
      }, timeoutMs);
    }
    let value: unknown;
    try {
      value =
        this.rt.middleware.length === 0
          ? handler(input, call)
          : withMiddleware(this.rt, call, input, () => handler(input, call));
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

  /** The handler settled: the call leaves the table and its one answer goes out. */
  private settled(call: CallState, frame: string): void {
    if (call.timer !== undefined) this.rt.clock.clearTimeout(call.timer);
    this.running.delete(call.id);
    if (call.phase === 'cancelled') {
      call.phase = 'answered';
      this.peer.sendError(call.id, { code: 'CANCELLED', message: 'cancelled by the client' });
    } else this.answer(call, frame);
  }

  private answer(call: CallState, frame: string): void {
    if (call.phase !== 'running') return;
    call.phase = 'answered';
    this.peer.send(frame);
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
    return failureFrame(this.rt, this.peer.id, call, `handler '${call.procedure}'`, error);
  }
}

function timeoutError(call: CallState, timeoutMs: number) {
  return { code: 'TIMEOUT' as const, message: `${call.procedure} timed out after ${timeoutMs} ms` };
}
