/**
 * One WebSocket connection: the sockkit handshake, defensive reading of every inbound frame
 * (size, rate, JSON, envelope), routing to calls and topics, coalesced and bounded writes,
 * and cleanup when it closes. Calls from the server to this client live in client-calls.ts.
 */
import { randomBytes } from 'node:crypto';
import {
  CLOSE_CODES,
  type ClientMessage,
  clientMessageSchema,
  errorFrame,
  parseClientMessage,
  peekCallId,
  readFrame,
  SockkitError,
  type TimerHandle,
  unrefTimer,
  type WireError,
} from '@sockkit/core';
import type { RawData, WebSocket } from 'ws';
import { ClientCalls } from './client-calls.js';
import { type CallState, cancelCall, handleCall } from './dispatch.js';
import type { ServerCallOptions, ServerConnection, UpgradeRequest } from './options.js';
import { encodeBatch, type Flushable, scheduleFlush, writeBatch } from './outbound.js';
import { TokenBucket } from './rate-limit.js';
import type { ServerRuntime } from './runtime.js';

/** After a close frame, how long a peer that does not read gets before its socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** setTimeout's ceiling; longer session expiries are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type State = 'handshake' | 'authenticating' | 'open' | 'closed';

/** A connection; the public, typed view of it is {@link ServerConnection}. */
export class Connection implements Flushable, ServerConnection {
  readonly id = randomId();
  readonly session = randomId();
  user: string | undefined;
  auth: unknown;
  /** Whether a pong (or any message) arrived since the last heartbeat ping. */
  alive = true;
  /** Calls from this client being handled, by call id (created on first call). */
  inflight: Map<number, CallState> | undefined;
  /** Channel keys this connection is subscribed to (created on first subscribe). */
  subscriptions: Set<string> | undefined;
  /** Volatile messages dropped under backpressure. */
  droppedVolatile = 0;

  private state: State = 'handshake';
  /** The code this side closed with, reported even if the peer never completed the close. */
  private closeCode: { code: number; reason: string } | undefined;
  private outbound: string[] = [];
  private outboundBytes = 0;
  private clientCalls: ClientCalls | undefined;
  private readonly bucket: TokenBucket;
  private rateStrikes = 0;
  private protocolErrors = 0;
  private timer: TimerHandle | undefined;
  private callFacade: ServerConnection['call'] | undefined;
  private subscribeFacade: ServerConnection['subscribe'] | undefined;
  private unsubscribeFacade: ServerConnection['unsubscribe'] | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly request: UpgradeRequest,
    private readonly rt: ServerRuntime,
  ) {
    const { limits, clock } = rt;
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

  /** @internal */
  socketError(error: Error): void {
    this.rt.logger.warn('socket error', { conn: this.id, error: error.message });
  }

  /** Whether the handshake completed and the socket is still up. */
  get open(): boolean {
    return this.state === 'open';
  }

  // ---- inbound ------------------------------------------------------------------------

  /** @internal */
  receive(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.alive = true;
    if (isBinary)
      return this.protocolError('binary frames are not supported; sockkit speaks JSON text frames');
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    const text = Buffer.isBuffer(data) ? data.toString() : Buffer.from(data as ArrayBuffer).toString();
    if (bytes > this.rt.limits.maxMessageBytes) {
      const id = peekCallId(text);
      const message = `message of ${bytes} bytes exceeds the limit of ${this.rt.limits.maxMessageBytes}`;
      this.sendError(id, {
        code: 'PAYLOAD_TOO_LARGE',
        message,
        details: { limit: this.rt.limits.maxMessageBytes },
      });
      return;
    }
    const messages = readFrame(text);
    if (typeof messages === 'string') {
      return this.protocolError(
        messages === 'json'
          ? 'malformed JSON'
          : 'a frame must hold a message object or a non-empty array of them',
      );
    }
    for (const raw of messages) this.receiveMessage(raw);
  }

  private receiveMessage(raw: unknown): void {
    if (this.state === 'closed') return;
    const rawId = idOf(raw);
    if (!this.bucket.take()) {
      if (++this.rateStrikes > this.rt.limits.maxRateLimitStrikes) {
        this.close(CLOSE_CODES.RATE_LIMITED.code, 'rate limit exceeded');
        return;
      }
      const retryAfterMs = this.bucket.retryAfterMs();
      this.sendError(rawId, {
        code: 'RATE_LIMITED',
        message: 'too many messages',
        details: { retryAfterMs },
      });
      return;
    }
    this.rateStrikes = 0;
    const parsed = parseClientMessage(raw);
    if (!parsed.success) {
      const kind = typeof raw === 'object' && raw !== null ? (raw as { t?: unknown }).t : undefined;
      const known = typeof kind === 'string' && KINDS.has(kind);
      const error = new SockkitError(
        'BAD_REQUEST',
        known ? `malformed '${kind}' message` : `unknown message kind ${JSON.stringify(kind ?? null)}`,
        {
          details: {
            issues: parsed.error.issues.map((i) => ({
              path: i.path.map(String),
              message: i.message,
              code: i.code,
            })),
          },
        },
      );
      this.sendError(rawId, error.toWire());
      return;
    }
    this.route(parsed.data);
  }

  private route(message: ClientMessage): void {
    if (this.state !== 'open') {
      if (message.t === 'hello' && this.state === 'handshake') {
        void this.hello(message.params);
        return;
      }
      if (message.t === 'hello')
        return this.sendError(undefined, { code: 'BAD_REQUEST', message: 'hello already received' });
      this.sendError(idOf(message), {
        code: 'UNAUTHORIZED',
        message: `'${message.t}' before the handshake: send 'hello' first`,
      });
      return;
    }
    switch (message.t) {
      case 'call':
        return handleCall(this.rt, this, message);
      case 'cancel':
        return cancelCall(this, message.id);
      case 'result':
      case 'error':
        this.clientCalls ??= new ClientCalls(this, this.rt);
        return this.clientCalls.answer(message);
      case 'sub':
        return void this.rt.topics.clientSubscribe(this, message);
      case 'unsub':
        return void this.rt.topics.clientUnsubscribe(this, message.id, message.c);
      case 'pub':
        return void this.rt.topics.clientPublish(this, message);
      case 'pset':
        return void this.rt.topics.clientPresence(this, message);
      case 'auth':
        return void this.refresh(message.id, message.params);
      case 'ping':
        return this.send(message.id === undefined ? '{"t":"pong"}' : `{"t":"pong","id":${message.id}}`);
      case 'pong':
        return;
      case 'hello':
        return this.sendError(undefined, { code: 'BAD_REQUEST', message: 'hello already received' });
    }
  }

  private protocolError(message: string): void {
    this.sendError(undefined, { code: 'BAD_REQUEST', message });
    if (++this.protocolErrors > this.rt.limits.maxProtocolErrors) {
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
      this.armExpiry(result.expiresAt);
      const { maxMessageBytes, maxCallsInFlight, maxSubscriptions } = this.rt.limits;
      const expires = result.expiresAt === undefined ? '' : `,"expiresAt":${result.expiresAt}`;
      this.send(
        `{"t":"welcome","session":"${this.session}","conn":"${this.id}"${expires},"limits":{"maxMessageBytes":${maxMessageBytes},"maxCallsInFlight":${maxCallsInFlight},"maxSubscriptions":${maxSubscriptions}}}`,
      );
      this.rt.opened(this);
    } catch (error) {
      const err = SockkitError.from(error);
      if (err.code === 'INTERNAL') this.rt.logger.error('authenticate threw', { conn: this.id, error });
      this.close(CLOSE_CODES.UNAUTHORIZED.code, err.code === 'INTERNAL' ? 'unauthorized' : err.message);
    }
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
      const expires = result.expiresAt === undefined ? '' : `,"expiresAt":${result.expiresAt}`;
      this.send(`{"t":"authok","id":${id}${expires}}`);
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
   * Queues a frame. Above `softBufferedBytes` of unsent data volatile frames are dropped;
   * above `maxBufferedBytes` the connection is closed as a slow consumer (4009).
   */
  send(text: string, volatile = false): void {
    if (this.state === 'closed' || this.closeCode) return;
    const buffered = this.ws.bufferedAmount + this.outboundBytes;
    if (buffered > this.rt.limits.softBufferedBytes) {
      if (volatile) {
        this.droppedVolatile++;
        return;
      }
      if (buffered + text.length > this.rt.limits.maxBufferedBytes) {
        this.rt.logger.warn('slow consumer closed', { conn: this.id, buffered });
        this.close(CLOSE_CODES.SLOW_CONSUMER.code, 'slow consumer');
        return;
      }
    }
    this.outbound.push(text);
    this.outboundBytes += text.length;
    if (this.outbound.length === 1) scheduleFlush(this);
  }

  /** Writes queued frames as one frame. */
  flush(): void {
    if (this.outbound.length === 0) return;
    const frames = this.outbound;
    this.outbound = [];
    this.outboundBytes = 0;
    if (this.ws.readyState === 1) writeBatch(this.ws, encodeBatch(frames));
  }

  /** Sends an error frame. */
  sendError(id: number | undefined, error: WireError): void {
    this.send(errorFrame(id, error));
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

  /** Calls procedure `name` on this client; validates input before and output on arrival. */
  callClient(name: string, input: unknown, options?: ServerCallOptions): Promise<unknown> {
    this.clientCalls ??= new ClientCalls(this, this.rt);
    return this.clientCalls.call(name, input, options);
  }

  // ---- topics facade --------------------------------------------------------------------

  get subscribe(): ServerConnection['subscribe'] {
    this.subscribeFacade ??= this.topicFacade((topic, params, options) =>
      this.rt.topics.serverSubscribe(
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
      this.rt.topics.serverUnsubscribe(this, topic, params),
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
    return [...(this.subscriptions ?? [])];
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

  /** @internal */
  cleanup(code: number, reason: string): void {
    // A peer that stopped reading never acknowledges our close: report why we closed it.
    if (this.closeCode && code === 1006) ({ code, reason } = this.closeCode);
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (this.timer !== undefined) this.rt.clock.clearTimeout(this.timer);
    this.outbound = [];
    this.outboundBytes = 0;
    if (this.inflight)
      for (const call of this.inflight.values())
        call.abort(new SockkitError('UNAVAILABLE', 'connection closed'));
    this.clientCalls?.closed();
    void this.rt.topics.dropConnection(this);
    if (wasOpen) this.rt.closed(this, code, reason);
  }
}

const CONNECTION = Symbol('sockkit.connection');
type SocketWithConnection = WebSocket & { [CONNECTION]: Connection };

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as SocketWithConnection)[CONNECTION].receive(data, isBinary);
}
function onPong(this: WebSocket): void {
  (this as SocketWithConnection)[CONNECTION].alive = true;
}
function onClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as SocketWithConnection)[CONNECTION].cleanup(code, reason.toString());
}
function onError(this: WebSocket, error: Error): void {
  (this as SocketWithConnection)[CONNECTION].socketError(error);
}

const KINDS = new Set<string>(clientMessageSchema.options.map((option) => option.shape.t.value));

function idOf(raw: unknown): number | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

function randomId(): string {
  return randomBytes(12).toString('base64url');
}

/** Close reasons are limited to 123 bytes by the WebSocket protocol. */
function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= 123) return reason;
  return `${bytes
    .subarray(0, 120)
    .toString()
    .replace(/\uFFFD$/, '')}...`;
}
