/**
 * Running the streams one client opens. A server stream pulls its handler's async iterator
 * only while the caller has credit (`w` of its `stream`, then each `more`): a caller that stops
 * reading stops the source, and nothing here buffers beyond what the caller granted. A client
 * stream feeds the caller's chunks, validated, to its handler through a {@link ChunkInbox}.
 * Either ends with one `result` (the final value) or `error`, like a call, and holds one of
 * the connection's call slots until its handler has settled: a server stream's iterator has
 * returned (its `finally` ran), a client stream's handler has answered.
 *
 * Early ends: the caller's `cancel` (CANCELLED, once the handler settled), a bad or oversized
 * chunk or one beyond the credit (BAD_REQUEST / PAYLOAD_TOO_LARGE, at once), no chunk and no
 * credit either way for the idle timeout (TIMEOUT, at once), the link dropping (nothing is
 * answered). Each aborts the handler's signal; a server stream's iterator gets `return()`.
 */
import { type ContractDef, SockkitError, type StreamDef, type TimerHandle, unrefTimer } from '@sockkit/core';
import {
  type ClientMessage,
  chunkFrame,
  errorFrame,
  lookup,
  moreFrame,
  resultFrame,
  utf8Length,
  validate,
} from '@sockkit/core/protocol';
import { CallState } from './call-state.js';
import { ChunkInbox } from './chunk-inbox.js';
import { checkOutput, failureFrame, withMiddleware } from './handler-run.js';
import type { Peer } from './peer.js';
import type { ServerRuntime } from './runtime.js';
import { callsLimit, type Slots } from './slots.js';

type StreamMessage = Extract<ClientMessage, { t: 'stream' }>;
type ChunkMessage = Extract<ClientMessage, { t: 'chunk' }>;

/** One running stream: the call's context plus its credit, inbox and idle clock. */
class StreamState extends CallState {
  /** Chunks a server stream may still send. */
  credit = 0;
  /** The pump of a server stream waits here for credit (or for the stream to end). */
  wake: (() => void) | undefined;
  /** A client stream's chunks. */
  inbox: ChunkInbox | undefined;
  /** When a chunk or a credit last passed, either way. */
  lastActive = 0;
  idleTimer: TimerHandle | undefined;

  constructor(
    peer: Peer,
    rt: ServerRuntime,
    id: number,
    procedure: string,
    readonly def: StreamDef,
  ) {
    super(peer, rt, id, procedure);
  }

  /** Ends the stream early: the signal aborts, the pump stops, the inbox fails. */
  stop(reason: SockkitError): void {
    this.abort(reason);
    this.inbox?.fail(reason);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The streams of one connection. */
export class InboundStreams {
  private readonly running = new Map<number, StreamState>();

  constructor(
    private readonly peer: Peer,
    private readonly rt: ServerRuntime,
    private readonly slots: Slots,
  ) {}

  /** Streams whose handlers have not settled. */
  get size(): number {
    return this.running.size;
  }

  /** Whether stream `id` has a handler still running. */
  has(id: number): boolean {
    return this.running.has(id);
  }

  /** Handles a `stream` message: opens the stream or refuses it with one `error`. */
  open(message: StreamMessage): void {
    const { rt, peer } = this;
    const { id, p: name } = message;
    if (this.slots.has(id))
      return peer.sendError(id, { code: 'BAD_REQUEST', message: `call id ${id} is already in flight` });
    if (!rt.accepting) return peer.sendError(id, { code: 'UNAVAILABLE', message: 'server is shutting down' });
    if (this.slots.full()) return peer.sendError(id, callsLimit(rt));
    const def = lookup((rt.contract as ContractDef).streams, name);
    const handler = def && Object.hasOwn(rt.streamHandlers, name) ? rt.streamHandlers[name] : undefined;
    if (!def || !handler) return peer.sendError(id, { code: 'NOT_FOUND', message: `no stream '${name}'` });
    let input: unknown;
    try {
      const decoded = rt.codec.decode(message.d, message.m);
      if (def.input) input = validate(def.input, decoded, `input of ${name}`);
      else if (decoded !== undefined)
        throw new SockkitError('BAD_REQUEST', `stream '${name}' takes no input`);
    } catch (error) {
      return peer.sendError(id, SockkitError.from(error).toWire());
    }
    const stream = new StreamState(peer, rt, id, name, def);
    this.running.set(id, stream);
    this.armIdle(stream, def.idleTimeout ?? rt.limits.streamIdleTimeoutMs);
    if (def.direction === 'server') {
      stream.credit = message.w ?? rt.limits.streamWindow;
      void this.pump(stream, input, () => handler(input, stream));
    } else {
      stream.inbox = new ChunkInbox(rt.limits.streamWindow, (n) => {
        stream.lastActive = rt.clock.now();
        peer.send(moreFrame(id, n));
      });
      peer.send(moreFrame(id, rt.limits.streamWindow));
      void this.collect(stream, input, () => handler(stream.inbox, input, stream));
    }
  }

  /**
   * Handles a `chunk` of a client stream; `frameBytes`, the size of the frame that carried it,
   * spares measuring chunks of frames within `maxStreamChunkBytes`. Chunks of a stream that
   * already ended are dropped: the caller stops when the answer reaches it.
   */
  chunk(message: ChunkMessage, frameBytes: number): void {
    const stream = this.running.get(message.id);
    if (stream?.phase !== 'running') return;
    const { inbox, procedure } = stream;
    if (!inbox) return this.fail(stream, badRequest(`stream '${procedure}' sends no chunks to the server`));
    const limit = this.rt.limits.maxStreamChunkBytes;
    if (frameBytes > limit && chunkBytes(message) > limit)
      return this.fail(stream, tooLarge(`a chunk of '${procedure}'`, limit));
    let value: unknown;
    try {
      value = validate(stream.def.chunk, this.rt.codec.decode(message.d, message.m), `chunk of ${procedure}`);
    } catch (error) {
      return this.fail(stream, SockkitError.from(error));
    }
    stream.lastActive = this.rt.clock.now();
    if (!inbox.push(value))
      this.fail(stream, badRequest(`a chunk of '${procedure}' beyond the credit the server granted`));
  }

  /** Handles a `more`: the caller of a server stream takes `n` more chunks. */
  more(id: number, n: number): void {
    const stream = this.running.get(id);
    if (stream?.phase !== 'running' || stream.def.direction !== 'server') return;
    stream.credit = Math.min(stream.credit + n, Number.MAX_SAFE_INTEGER);
    stream.lastActive = this.rt.clock.now();
    const wake = stream.wake;
    stream.wake = undefined;
    wake?.();
  }

  /** Handles an `end`: the caller of a client stream sent its last chunk. */
  end(id: number): void {
    const stream = this.running.get(id);
    if (stream?.phase === 'running') stream.inbox?.end();
  }

  /** Handles a `cancel`: the handler's signal aborts; CANCELLED answers once it settled. */
  cancel(id: number): void {
    const stream = this.running.get(id);
    if (stream?.phase !== 'running') return;
    stream.phase = 'cancelled';
    stream.stop(new SockkitError('CANCELLED', 'cancelled by the client'));
  }

  /**
   * Ends stream `id` with `error` when it is running (answered at once); false when it is not.
   * For requests the connection refused before reading them (too large, rate limited, malformed).
   */
  refuse(id: number, error: SockkitError): boolean {
    const stream = this.running.get(id);
    if (stream?.phase !== 'running') return false;
    this.fail(stream, error);
    return true;
  }

  /** The connection closed: every stream ends with `reason`; nothing is answered. */
  abortAll(reason: SockkitError): void {
    for (const stream of this.running.values()) {
      stream.phase = 'answered';
      stream.stop(reason);
    }
  }

  // ---- server streams --------------------------------------------------------------------

  /** Pulls the handler's chunks while the caller has credit, then answers with its return value. */
  private async pump(stream: StreamState, input: unknown, invoke: () => unknown): Promise<void> {
    let iterator: AsyncIterator<unknown> | undefined;
    let frame: string | undefined;
    try {
      const source = await this.invoke(stream, input, invoke);
      iterator = iteratorOf(source, stream.procedure);
      for (;;) {
        if (stream.credit === 0 && stream.phase === 'running')
          await new Promise<void>((resolve) => {
            stream.wake = resolve;
          });
        if (stream.phase !== 'running') break;
        const step = await iterator.next();
        if (stream.phase !== 'running') break;
        if (step.done) {
          frame = this.final(stream, step.value);
          iterator = undefined; // finished: nothing to return()
          break;
        }
        stream.credit--;
        stream.lastActive = this.rt.clock.now();
        this.peer.send(chunkFrame(stream.id, this.encodeChunk(stream, step.value)));
      }
    } catch (error) {
      frame = this.failure(stream, error);
    }
    if (iterator?.return) {
      // Ended early (cancel, timeout, error, link drop): the generator's `finally` runs now.
      try {
        await iterator.return();
      } catch (error) {
        frame ??= this.failure(stream, error);
      }
    }
    this.settled(stream, frame);
  }

  /** The chunk's wire form, checked against the contract and `maxStreamChunkBytes`. */
  private encodeChunk(stream: StreamState, value: unknown) {
    const { rt } = this;
    const what = `a chunk of '${stream.procedure}'`;
    const checked = rt.validateOutput ? checkOutput(stream.def.chunk, value, what) : value;
    const payload = rt.codec.encode(checked);
    const limit = rt.limits.maxStreamChunkBytes;
    const units = (payload.json?.length ?? 0) + (payload.meta?.length ?? 0);
    if (units > limit / 3 && utf8Length(`${payload.json ?? ''}${payload.meta ?? ''}`) > limit)
      throw tooLarge(what, limit);
    return payload;
  }

  // ---- client streams --------------------------------------------------------------------

  /** Runs a client stream's handler over its inbox and answers with what it returns. */
  private async collect(stream: StreamState, input: unknown, invoke: () => unknown): Promise<void> {
    let frame: string;
    try {
      frame = this.final(stream, await this.invoke(stream, input, invoke));
    } catch (error) {
      frame = this.failure(stream, error);
    }
    stream.inbox?.return();
    this.settled(stream, frame);
  }

  // ---- both ------------------------------------------------------------------------------

  /** Calls the handler inside the middleware (whose `next()` resolves to what the handler returns). */
  private invoke(stream: StreamState, input: unknown, invoke: () => unknown): unknown {
    if (this.rt.middleware.length === 0) return invoke();
    return withMiddleware(this.rt, stream, input, invoke);
  }

  /** The `result` carrying the stream's final value, checked against its `output`. */
  private final(stream: StreamState, value: unknown): string {
    const { output } = stream.def;
    if (!output) return resultFrame(stream.id);
    const checked = this.rt.validateOutput
      ? checkOutput(output, value, `output of '${stream.procedure}'`)
      : value;
    return resultFrame(stream.id, this.rt.codec.encode(checked));
  }

  private failure(stream: StreamState, error: unknown): string {
    return failureFrame(this.peer.log, stream, `stream '${stream.procedure}'`, error);
  }

  /** Answers `error` now and ends the stream; its slot frees once the handler settles. */
  private fail(stream: StreamState, error: SockkitError): void {
    this.answer(stream, errorFrame(stream.id, error.toWire()));
    stream.stop(error);
  }

  /** The handler settled: the stream leaves the table and its one answer goes out. */
  private settled(stream: StreamState, frame: string | undefined): void {
    if (stream.idleTimer !== undefined) this.rt.clock.clearTimeout(stream.idleTimer);
    this.running.delete(stream.id);
    if (stream.phase === 'cancelled') {
      stream.phase = 'answered';
      this.peer.sendError(stream.id, { code: 'CANCELLED', message: 'cancelled by the client' });
    } else if (frame !== undefined) this.answer(stream, frame);
  }

  private answer(stream: StreamState, frame: string): void {
    if (stream.phase !== 'running') return;
    stream.phase = 'answered';
    this.peer.send(frame);
  }

  /**
   * One timer per stream, re-armed for what is left when it fires early, rather than reset on
   * every chunk: a stream of 100,000 chunks sets a handful of timers, not 100,000.
   */
  private armIdle(stream: StreamState, idleMs: number): void {
    const { clock } = this.rt;
    stream.lastActive = clock.now();
    const check = (): void => {
      stream.idleTimer = undefined;
      if (stream.phase !== 'running') return;
      const left = stream.lastActive + idleMs - clock.now();
      if (left > 0) {
        stream.idleTimer = clock.setTimeout(check, left);
        unrefTimer(stream.idleTimer);
        return;
      }
      const message = `stream '${stream.procedure}' idle for ${idleMs} ms`;
      this.fail(stream, new SockkitError('TIMEOUT', message, { details: { limit: idleMs } }));
    };
    stream.idleTimer = clock.setTimeout(check, idleMs);
    unrefTimer(stream.idleTimer);
  }
}

/** The iterator of what a server-stream handler returned. */
function iteratorOf(source: unknown, procedure: string): AsyncIterator<unknown> {
  const make =
    typeof source === 'object' && source !== null
      ? (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator]
      : undefined;
  if (typeof make !== 'function')
    throw new SockkitError('INTERNAL', 'internal server error', {
      cause: new TypeError(`the handler of stream '${procedure}' returned no async iterable`),
    });
  return make.call(source);
}

/** The UTF-8 size of a chunk's payload, as it arrived. */
function chunkBytes(message: ChunkMessage): number {
  return utf8Length(JSON.stringify(message.d) ?? '') + utf8Length(JSON.stringify(message.m) ?? '');
}

function badRequest(message: string): SockkitError {
  return new SockkitError('BAD_REQUEST', message);
}

function tooLarge(what: string, limit: number): SockkitError {
  return new SockkitError('PAYLOAD_TOO_LARGE', `${what} exceeds ${limit} bytes`, { details: { limit } });
}
