/**
 * One WebSocket connection: the sockkit handshake, defensive reading of every inbound frame
 * (size, rate, JSON, envelope), routing to the modules that own each concern (calls in
 * dispatch.ts, topics in topics.ts, calls to the client in client-calls.ts), and coalesced,
 * bounded writes. Modules see it through the `Peer` seam (peer.ts).
 */
import { CLOSE_CODES, SockkitError, type TimerHandle, unrefTimer, type WireError } from '@sockkit/core';
import {
  authokFrame,
  type ClientMessage,
  describeKind,
  errorFrame,
  pongFrame,
  readClientMessage,
  readFrame,
  toWireIssues,
  welcomeFrame,
} from '@sockkit/core/protocol';
import type { RawData, WebSocket } from 'ws';
import { ClientCalls } from './client-calls.js';
import { CLOSE_GRACE_MS, truncateReason } from './close-reason.js';
import { InboundCalls } from './dispatch.js';
import { EarlyMessages } from './early-messages.js';
import type { Batch, Flushable, Flusher } from './flusher.js';
import type { Heartbeat } from './heartbeat.js';
import { LogBudget } from './log-budget.js';
import { type Logger, withBindings } from './logger.js';
import type { ConnectionSnapshot } from './observer.js';
import type { ServerCallOptions, ServerConnection, UpgradeRequest } from './options.js';
import type { Peer } from './peer.js';
import { randomId } from './random-id.js';
import { TokenBucket } from './rate-limit.js';
import type { Refusal } from './refusals.js';
import { oversizedRequestIds, requestIdOf } from './request-ids.js';
import type { ServerRuntime } from './runtime.js';
import type { Slots } from './slots.js';
import { InboundStreams } from './streams.js';
import type { TopicHub } from './topics.js';
import { traceIn, traceOut } from './trace.js';

/** setTimeout's ceiling; longer session expiries are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Why a connection was closed by `disconnect()` when the caller gave no reason. */
export const DEFAULT_DISCONNECT_REASON = 'disconnected by the server';

type State = 'handshake' | 'authenticating' | 'open' | 'closed';

/** What a connection needs from its server. */
export interface ConnectionDeps {
  readonly rt: ServerRuntime;
  readonly topics: TopicHub;
  readonly heartbeat: Heartbeat;
  readonly flusher: Flusher;
  /** The handshake completed. */
  opened(conn: Connection): void;
  /** An open connection closed. */
  closed(conn: Connection, code: number, reason: string): void;
  /** The handshake was refused (`error`: what `authenticate` threw, when it was no SockkitError). */
  refused(remoteAddress: string | undefined, refusal: Refusal, error?: unknown): void;
}

/** A connection; the public, typed view of it is {@link ServerConnection}. */
export class Connection implements Peer, Flushable, ServerConnection {
  readonly id = randomId();
  readonly session = randomId();
  user: string | undefined;
  auth: unknown;
  /** Volatile messages dropped under backpressure. */
  droppedVolatile = 0;
  /** When the handshake completed (server clock); 0 before. */
  openedAt = 0;

  private state: State = 'handshake';
  /** The code this side closed with, reported even if the peer never completed the close. */
  private closeCode: { code: number; reason: string } | undefined;
  /** Frames queued for the next flush: none, one, or several (an array only then). */
  private outbound: Batch | undefined;
  private outboundBytes = 0;
  // Created on first use, as the rest of what not every connection needs: an idle connection
  // stays small (bench W4 counts heap per connection).
  /** Paced writers waiting for the frames queued so far to leave. */
  private drainWaiters: (() => void)[] | undefined;
  private calls: InboundCalls | undefined;
  private streams: InboundStreams | undefined;
  /** Calls and streams share `maxCallsInFlight` and the client's id space (see `sharedSlots`). */
  private slots: Slots | undefined;
  /** Size of the frame being read, for the chunk size check. */
  private frameBytes = 0;
  /** Frames read so far (EarlyMessages charges each frame once). */
  private frames = 0;
  /** Messages that followed `hello` while `authenticate` runs. */
  private early: EarlyMessages | undefined;
  private clientCalls: ClientCalls | undefined;
  private readonly rt: ServerRuntime;
  private readonly bucket: TokenBucket;
  private rateStrikes = 0;
  private protocolErrors = 0;
  private logBudget: LogBudget | undefined;
  private childLog: Logger | undefined;
  private timer: TimerHandle | undefined;
  private callFacade: ServerConnection['call'] | undefined;
  private subscribeFacade: ServerConnection['subscribe'] | undefined;
  private unsubscribeFacade: ServerConnection['unsubscribe'] | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly request: UpgradeRequest,
    private readonly deps: ConnectionDeps,
  ) {
    const { limits, clock } = deps.rt;
    this.rt = deps.rt;
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, clock);
    this.timer = clock.setTimeout(
      () => this.close(CLOSE_CODES.HANDSHAKE_TIMEOUT.code, 'handshake timeout'),
      limits.handshakeTimeoutMs,
    );
    unrefTimer(this.timer);
    // Shared listeners find their connection through the socket: no closures per connection.
    (ws as SocketWithConnection)[CONNECTION] = this;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.on('error', onError);
  }

  /** The slots calls and streams share, made with the first of them (idle connections stay small). */
  private sharedSlots(): Slots {
    this.slots ??= {
      has: (id) => (this.calls?.has(id) ?? false) || (this.streams?.has(id) ?? false),
      full: () => this.callsInFlight >= this.rt.limits.maxCallsInFlight,
    };
    return this.slots;
  }

  /** This connection as handlers and hooks see it. */
  get facade(): ServerConnection {
    return this;
  }

  /** Whether the handshake completed and the socket is still up. */
  get open(): boolean {
    return this.state === 'open';
  }

  /** Calls and streams from this client whose handlers have not settled. */
  get callsInFlight(): number {
    return (this.calls?.size ?? 0) + (this.streams?.size ?? 0);
  }

  /**
   * The server's logger bound to this connection's id and user: a child logger when the logger
   * has `child` (pino), else one that adds them to each line. Made on first use.
   */
  get log(): Logger {
    this.childLog ??= withBindings(this.rt.logger, { conn: this.id, user: this.user });
    return this.childLog;
  }

  /**
   * Logs something this connection's peer caused, within a per-connection budget, so that a
   * client cannot grow the server's log (console writes are synchronous) at its own pace.
   */
  peerLog(message: string, meta: Record<string, unknown>): void {
    this.logBudget ??= new LogBudget(this.rt.clock);
    const admitted = this.logBudget.admit(meta);
    if (admitted) this.log.warn(admitted, message);
  }

  // ---- inbound ------------------------------------------------------------------------

  /** @internal */
  receive(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.deps.heartbeat.seen(this);
    if (isBinary)
      return this.protocolError('binary frames are not supported; sockkit speaks JSON text frames');
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    const text = Buffer.isBuffer(data) ? data.toString() : Buffer.from(data as ArrayBuffer).toString();
    this.rt.observers.hub?.received(this, bytes);
    if (this.rt.trace) traceIn(this.rt.logger, this.id, text, bytes);
    if (bytes > this.rt.limits.maxMessageBytes) return this.oversized(text, bytes);
    const messages = readFrame(text);
    this.frameBytes = bytes;
    this.frames++;
    if (typeof messages === 'string') {
      return this.protocolError(
        messages === 'json'
          ? 'malformed JSON'
          : 'a frame must hold a message object or a non-empty array of them',
      );
    }
    // A message alone in its frame is as large as the frame (what observers report for calls).
    if (messages.length === 1) this.receiveMessage(messages[0], bytes);
    else for (const raw of messages) this.receiveMessage(raw, undefined);
  }

  /**
   * A frame above `maxMessageBytes` (ws already refused any above `maxFrameBytes`): every
   * request in it is answered PAYLOAD_TOO_LARGE by id where its id can be read, each takes a
   * rate token, and the frame counts as a protocol error, since a client that respects the
   * limit announced in `welcome` never sends one.
   */
  private oversized(text: string, bytes: number): void {
    const limit = this.rt.limits.maxMessageBytes;
    const error: WireError = {
      code: 'PAYLOAD_TOO_LARGE',
      message: `frame of ${bytes} bytes exceeds the limit of ${limit}`,
      details: { limit },
    };
    for (const id of oversizedRequestIds(text)) {
      if (!this.bucket.take()) return this.rateLimited(id);
      this.rateStrikes = 0;
      this.requestFailed(id, error);
    }
    this.countProtocolError();
  }

  private receiveMessage(raw: unknown, bytes: number | undefined): void {
    if (this.state === 'closed') return;
    if (!this.bucket.take()) return this.rateLimited(requestIdOf(raw));
    this.rateStrikes = 0;
    const parsed = readClientMessage(raw);
    if (!parsed.success) {
      const details = { issues: toWireIssues(parsed.error.issues) };
      this.requestFailed(requestIdOf(raw), { code: 'BAD_REQUEST', message: describeKind(raw), details });
      return;
    }
    this.route(parsed.data, bytes);
  }

  /** A message found no rate token: answers RATE_LIMITED, and closes after too many in a row. */
  private rateLimited(id: number | undefined): void {
    const closing = ++this.rateStrikes > this.rt.limits.maxRateLimitStrikes;
    this.rt.observers.hub?.rateLimited(this, closing);
    if (closing) {
      this.peerLog('rate limit exceeded: closing', { code: CLOSE_CODES.RATE_LIMITED.code });
      this.close(CLOSE_CODES.RATE_LIMITED.code, 'rate limit exceeded');
    } else {
      const retryAfterMs = this.bucket.retryAfterMs();
      this.requestFailed(id, {
        code: 'RATE_LIMITED',
        message: 'too many messages',
        details: { retryAfterMs },
      });
    }
  }

  /**
   * Answers a message refused before it was read. When its id is a stream in flight (a chunk
   * too large, malformed or rate limited), the stream ends with that error: a lost chunk
   * would leave a gap.
   */
  private requestFailed(id: number | undefined, error: WireError): void {
    if (id !== undefined && this.streams?.refuse(id, SockkitError.fromWire(error))) return;
    this.sendError(id, error);
  }

  private route(message: ClientMessage, bytes: number | undefined): void {
    if (this.state !== 'open') {
      if (message.t === 'hello' && this.state === 'handshake') {
        void this.hello(message.params);
        return;
      }
      if (message.t === 'hello')
        return this.sendError(undefined, { code: 'BAD_REQUEST', message: 'hello already received' });
      if (this.state === 'authenticating') return this.keepEarly(message, bytes);
      this.sendError(requestIdOf(message), {
        code: 'UNAUTHORIZED',
        message: `'${message.t}' before the handshake: send 'hello' first`,
      });
      return;
    }
    switch (message.t) {
      case 'call':
        this.calls ??= new InboundCalls(this, this.rt, this.sharedSlots());
        return this.calls.handle(message, bytes);
      case 'cancel':
        this.streams?.cancel(message.id);
        return this.calls?.cancel(message.id);
      case 'stream':
        this.streams ??= new InboundStreams(this, this.rt, this.sharedSlots());
        return this.streams.open(message);
      case 'chunk':
        return this.streams?.chunk(message, this.frameBytes);
      case 'more':
        return this.streams?.more(message.id, message.n);
      case 'end':
        return this.streams?.end(message.id);
      case 'result':
      case 'error':
        if (message.id === undefined) {
          if (message.t === 'error') this.peerLog('client reported an error', { error: message.e });
          return;
        }
        this.clientCalls ??= new ClientCalls(this, this.rt);
        return this.clientCalls.answer(message);
      case 'sub':
        return void this.deps.topics.clientSubscribe(this, message);
      case 'unsub':
        return void this.deps.topics.clientUnsubscribe(this, message.id, message.c);
      case 'pub':
        return void this.deps.topics.clientPublish(this, message);
      case 'pset':
        return void this.deps.topics.clientPresence(this, message);
      case 'auth':
        return void this.refresh(message.id, message.params);
      case 'ping':
        return this.send(pongFrame(message.id));
      case 'pong':
        return;
      case 'hello':
        return this.sendError(undefined, { code: 'BAD_REQUEST', message: 'hello already received' });
    }
  }

  /** A message behind `hello`: kept until the handshake is done, within EARLY_BOUNDS. */
  private keepEarly(message: ClientMessage, bytes: number | undefined): void {
    this.early ??= new EarlyMessages();
    const refused = this.early.keep(message, bytes, this.frameBytes, this.frames);
    if (!refused) return;
    this.sendError(requestIdOf(message), refused);
    this.countProtocolError();
  }

  /** The handshake succeeded: the messages that followed `hello` run now, in order. */
  private runEarly(): void {
    const early = this.early;
    this.early = undefined;
    if (!early) return;
    for (const { message, bytes, frameBytes } of early.all()) {
      if (this.state !== 'open') return;
      this.frameBytes = frameBytes;
      this.route(message, bytes);
    }
  }

  private protocolError(message: string): void {
    this.sendError(undefined, { code: 'BAD_REQUEST', message });
    this.countProtocolError();
  }

  private countProtocolError(): void {
    const closing = ++this.protocolErrors > this.rt.limits.maxProtocolErrors;
    this.rt.observers.hub?.protocolError(this, closing);
    if (closing) {
      this.peerLog('too many malformed frames: closing', { code: CLOSE_CODES.PROTOCOL_ERROR.code });
      this.close(CLOSE_CODES.PROTOCOL_ERROR.code, 'too many malformed frames');
    }
  }

  // ---- handshake and auth -------------------------------------------------------------

  private async hello(params: unknown): Promise<void> {
    this.state = 'authenticating';
    try {
      const result = await this.authenticate(params, false);
      if (this.state !== 'authenticating') return;
      this.state = 'open';
      this.openedAt = this.rt.clock.now();
      this.childLog = undefined; // bound again, now with the user
      this.armExpiry(result.expiresAt);
      this.send(welcomeFrame(this.session, this.id, result.expiresAt, this.rt.limits));
      if (this.rt.trace) {
        const { remoteAddress, url } = this.request;
        this.rt.logger.debug?.({ conn: this.id, user: this.user, remoteAddress, url }, 'open');
      }
      this.deps.opened(this);
    } catch (error) {
      const err = SockkitError.from(error);
      // What a plain error says stays on the server: the client is told only "unauthorized".
      const thrown = err.code === 'INTERNAL';
      const refusal = { code: CLOSE_CODES.UNAUTHORIZED.code, reason: thrown ? 'unauthorized' : err.message };
      this.deps.refused(this.request.remoteAddress, refusal, thrown ? error : undefined);
      // What followed `hello` never runs; the close answers it (the client fails it with the refusal).
      this.early = undefined;
      this.close(refusal.code, refusal.reason);
    }
    // Outside the try: a throw from a message's handling is no refusal of the handshake.
    this.runEarly();
  }

  private async authenticate(params: unknown, refresh: boolean) {
    if (!this.rt.authenticate) return { context: undefined, user: undefined, expiresAt: undefined };
    const result = await this.rt.authenticate({ request: this.request, params, refresh });
    if (refresh && result.user !== this.user) {
      throw new SockkitError('UNAUTHORIZED', 'a refresh cannot change the user of a session');
    }
    this.auth = result.context;
    this.user = result.user;
    return result;
  }

  private async refresh(id: number, params: unknown): Promise<void> {
    try {
      const result = await this.authenticate(params, true);
      this.armExpiry(result.expiresAt);
      this.send(authokFrame(id, result.expiresAt));
    } catch (error) {
      const err = SockkitError.from(error);
      this.sendError(
        id,
        err.code === 'INTERNAL' ? { code: 'UNAUTHORIZED', message: 'refresh refused' } : err.toWire(),
      );
    }
  }

  private armExpiry(expiresAt: number | undefined): void {
    if (this.timer !== undefined) this.rt.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (expiresAt === undefined) return;
    const delay = expiresAt - this.rt.clock.now();
    if (delay <= 0) return this.close(CLOSE_CODES.SESSION_EXPIRED.code, 'session expired');
    this.timer = this.rt.clock.setTimeout(() => this.armExpiry(expiresAt), Math.min(delay, MAX_TIMER_MS));
    unrefTimer(this.timer);
  }

  // ---- outbound -----------------------------------------------------------------------

  /**
   * Queues a frame. Above `softBufferedBytes` of unsent data volatile frames are dropped; a
   * frame that would take unsent data above `maxBufferedBytes` closes the connection as a slow
   * consumer (4009), whatever its size.
   */
  send(text: string, volatile = false): void {
    if (this.state === 'closed' || this.closeCode) return;
    const buffered = this.ws.bufferedAmount + this.outboundBytes;
    if (volatile && buffered > this.rt.limits.softBufferedBytes) {
      this.droppedVolatile++;
      this.rt.observers.hub?.volatileDropped(this);
      return;
    }
    if (buffered + text.length > this.rt.limits.maxBufferedBytes) {
      this.log.warn(
        { code: CLOSE_CODES.SLOW_CONSUMER.code, buffered, frame: text.length },
        'slow consumer closed',
      );
      this.rt.observers.hub?.slowConsumer(this, buffered);
      this.close(CLOSE_CODES.SLOW_CONSUMER.code, 'slow consumer');
      return;
    }
    this.enqueue(text);
  }

  sendPaced(frames: readonly string[]): Promise<void> {
    if (this.state === 'closed' || this.closeCode) return Promise.resolve();
    for (const frame of frames) this.enqueue(frame);
    return new Promise((resolve) => {
      this.drainWaiters ??= [];
      this.drainWaiters.push(resolve);
    });
  }

  private enqueue(text: string): void {
    const queued = this.outbound;
    this.outboundBytes += text.length;
    if (queued === undefined) {
      this.outbound = text;
      this.deps.flusher.schedule(this);
    } else if (typeof queued === 'string') this.outbound = [queued, text];
    else queued.push(text);
  }

  /** Writes queued frames as one frame. */
  flush(): void {
    const frames = this.outbound;
    if (frames === undefined) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    this.outbound = undefined;
    this.outboundBytes = 0;
    if (this.ws.readyState !== 1) return resolveAll(waiters);
    if (this.rt.trace) traceOut(this.rt.logger, this.id, typeof frames === 'string' ? [frames] : frames);
    this.rt.observers.hub?.sent(this, batchBytes(frames));
    if (waiters === undefined) return this.deps.flusher.write(this.ws, frames);
    this.deps.flusher.write(this.ws, frames, () => resolveAll(waiters));
  }

  /** Sends an error frame. */
  sendError(id: number | undefined, error: WireError): void {
    this.send(errorFrame(id, error));
  }

  ping(): void {
    this.ws.ping();
  }

  terminate(): void {
    this.ws.terminate();
  }

  // ---- calls to the client -------------------------------------------------------------

  get call(): ServerConnection['call'] {
    if (!this.callFacade) {
      const facade: Record<string, (input?: unknown, options?: ServerCallOptions) => Promise<unknown>> = {};
      for (const name of Object.keys(this.rt.contract.client ?? {})) {
        facade[name] = (input, options) => this.callClient(name, input, options);
      }
      this.callFacade = facade as ServerConnection['call'];
    }
    return this.callFacade;
  }

  /** Calls procedure `name` on this client; its result is validated on arrival. */
  callClient(name: string, input: unknown, options?: ServerCallOptions): Promise<unknown> {
    this.clientCalls ??= new ClientCalls(this, this.rt);
    return this.clientCalls.call(name, input, options);
  }

  // ---- topics facade --------------------------------------------------------------------

  get subscribe(): ServerConnection['subscribe'] {
    this.subscribeFacade ??= this.topicFacade((topic, params, options) =>
      this.deps.topics.serverSubscribe(
        this,
        topic,
        params,
        (options as { presence?: unknown } | undefined)?.presence,
      ),
    ) as ServerConnection['subscribe'];
    return this.subscribeFacade;
  }

  get unsubscribe(): ServerConnection['unsubscribe'] {
    this.unsubscribeFacade ??= this.topicFacade((topic, params) =>
      this.deps.topics.serverUnsubscribe(this, topic, params),
    ) as ServerConnection['unsubscribe'];
    return this.unsubscribeFacade;
  }

  private topicFacade(fn: (topic: string, params: unknown, options?: unknown) => Promise<void>) {
    const facade: Record<string, (params: unknown, options?: unknown) => Promise<void>> = {};
    for (const topic of Object.keys(this.rt.contract.topics ?? {}))
      facade[topic] = (params, options) => fn(topic, params, options);
    return facade;
  }

  channels(): string[] {
    return this.deps.topics.channelsOf(this);
  }

  /** What this connection holds now, for observers (observer.ts). */
  snapshot(): ConnectionSnapshot {
    return {
      id: this.id,
      user: this.user,
      remoteAddress: this.request.remoteAddress,
      openedAt: this.openedAt,
      subscriptions: this.channels(),
      bufferedBytes: this.ws.bufferedAmount + this.outboundBytes,
      callsInFlight: this.callsInFlight,
      droppedVolatile: this.droppedVolatile,
    };
  }

  // ---- closing --------------------------------------------------------------------------

  /** Sends a close frame; destroys the socket if the peer does not complete the close soon. */
  close(code: number = CLOSE_CODES.NORMAL.code, reason = ''): void {
    if (this.state === 'closed' || this.closeCode) return;
    this.closeCode = { code, reason };
    this.flush();
    this.ws.close(code, truncateReason(reason));
    const timer = this.rt.clock.setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    unrefTimer(timer);
  }

  /**
   * Closes an open connection with 4006 DISCONNECTED, which a client takes as final; false when
   * it was not open, or already closing.
   */
  disconnect(reason: string): boolean {
    if (this.state !== 'open' || this.closeCode) return false;
    this.close(CLOSE_CODES.DISCONNECTED.code, reason);
    return true;
  }

  /** @internal */
  cleanup(code: number, reason: string): void {
    // A peer that stopped reading never acknowledges our close: report why we closed it.
    if (this.closeCode && code === 1006) ({ code, reason } = this.closeCode);
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (this.timer !== undefined) this.rt.clock.clearTimeout(this.timer);
    this.outbound = undefined;
    this.outboundBytes = 0;
    this.early = undefined;
    resolveAll(this.drainWaiters);
    this.drainWaiters = undefined;
    this.deps.heartbeat.forget(this);
    // Made only for calls to fail: an Error's stack costs microseconds on every close.
    if (this.callsInFlight > 0) {
      const lost = new SockkitError('UNAVAILABLE', 'connection closed');
      this.calls?.abortAll(lost);
      this.streams?.abortAll(lost);
    }
    this.clientCalls?.closed();
    void this.deps.topics.dropConnection(this);
    if (this.rt.trace) this.rt.logger.debug?.({ conn: this.id, code, reason }, 'closed');
    if (wasOpen) this.deps.closed(this, code, reason);
  }

  /** @internal */
  socketError(error: Error): void {
    this.peerLog('socket error', { error: error.message });
  }

  /** @internal */
  ponged(): void {
    this.deps.heartbeat.seen(this);
  }
}

const CONNECTION = Symbol('sockkit.connection');
type SocketWithConnection = WebSocket & { [CONNECTION]: Connection };

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as SocketWithConnection)[CONNECTION].receive(data, isBinary);
}
function onPong(this: WebSocket): void {
  (this as SocketWithConnection)[CONNECTION].ponged();
}
function onClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as SocketWithConnection)[CONNECTION].cleanup(code, reason.toString());
}
function onError(this: WebSocket, error: Error): void {
  (this as SocketWithConnection)[CONNECTION].socketError(error);
}

/** UTF-8 bytes of the frame `frames` leave in: one message, or a JSON array of them. */
function batchBytes(frames: Batch): number {
  if (typeof frames === 'string') return Buffer.byteLength(frames);
  let bytes = frames.length === 1 ? 0 : frames.length + 1;
  for (const frame of frames) bytes += Buffer.byteLength(frame);
  return bytes;
}

function resolveAll(waiters: (() => void)[] | undefined): void {
  if (waiters) for (const resolve of waiters) resolve();
}
