/**
 * The client: the connection state machine (connect, handshake, reconnect with backoff,
 * dead-link detection, in-band auth refresh), calls, and the namespaces (`call`, `subscribe`,
 * `publish`, `stream`) wired in one place. Subscriptions, serving the server's calls and streams
 * are parts given by the factory (create.ts), so an app that never uses them does not bundle them.
 */
import {
  type Clock,
  type Codec,
  type ContractDef,
  type ProcedureDef,
  SockkitError,
  SUBPROTOCOL,
  superjsonCodec,
  systemClock,
  type TimerHandle,
  type WireError,
} from '@sockkit/core';
import {
  authFrame,
  batchFrame,
  callFrame,
  Emitter,
  errorFrame,
  finalCloseError,
  HEARTBEAT_TIMEOUT_CLOSE,
  helloFrame,
  lookup,
  NORMAL_CLOSE,
  OFFERED_SUBPROTOCOLS,
  pingFrame,
  pongFrame,
  readFrame,
  readServerMessage,
  type ServerMessage,
  splitBatches,
  utf8Length,
} from '@sockkit/core/protocol';
import { type Backoff, backoffPolicy, reconnectDelay } from './backoff.js';
import type { Channels } from './channels.js';
import { checkOptions } from './check-options.js';
import { onWake, resolveWebSocket, type SocketConstructor, type SocketLike } from './environment.js';
import { namespace } from './namespace.js';
import type {
  CallOptions,
  ClientEvents,
  ClientOptions,
  ConnectionState,
  PublishOptions,
  SubscribeOptions,
} from './options.js';
import { CALL, IDEMPOTENT_CALL, Requests } from './requests.js';
import type { CallServer } from './serve.js';
import type { MakeStreams, Streams } from './streams.js';
import type { Subscription } from './subscriptions.js';

type AnySubscription = Subscription<unknown, unknown>;
type SubscribeFunction = (
  params: unknown,
  handler?: (m: unknown, i: unknown) => void,
  o?: SubscribeOptions<unknown>,
) => AnySubscription;
type PublishFunction = (params: unknown, message: unknown, o?: PublishOptions) => Promise<unknown>;

/** Shared defaults, so a call allocates no empty objects. */
const NO_OPTIONS: CallOptions = {};
const NO_SETTINGS: Partial<ProcedureDef> = {};

/**
 * The optional parts a factory gives its clients (one object shared by all of them), besides
 * the `streams` option.
 */
export interface ClientParts {
  /** Subscriptions, presence and publishing. */
  channels?: (client: Client, requests: Requests, codec: Codec) => Channels;
  /** Serving the server's calls with `handlers`. */
  server?: (client: Client, codec: Codec) => CallServer;
}

/** The client behind {@link createSockkitClient}; untyped (the factories type it from the contract). */
export class Client extends Emitter<ClientEvents> {
  state: ConnectionState = 'connecting';
  session: string | undefined;
  connectionId: string | undefined;
  /** The namespaces, each made on its first use: a connection that only calls makes one. */
  private namespaces: {
    call?: Record<string, (input?: unknown, options?: CallOptions) => Promise<unknown>>;
    stream?: Record<string, (input?: unknown, options?: never) => unknown>;
    subscribe?: Record<string, SubscribeFunction>;
    publish?: Record<string, PublishFunction>;
  } = {};

  /** The contract when given at run time: then per-procedure settings apply and server calls are validated. */
  readonly contract: ContractDef | undefined;
  private readonly urls: readonly string[];
  private urlIndex = 0;
  private readonly WebSocket: SocketConstructor;
  private readonly codec: Codec;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly requests: Requests;
  /**
   * The parts this client may use, and the `streams` option's, each made on first need (most
   * connections of a calls-mostly app never subscribe, stream or serve a call): the
   * subscriptions part with the first subscribe, publish or server-made join, the call server
   * with the server's first call, the streams part with the first stream.
   */
  private readonly parts: ClientParts;
  private channels: Channels | undefined;
  private server: CallServer | undefined;
  private streams: Streams | undefined;
  private socket: SocketLike | undefined;
  private outbound: string[] = [];
  private lastId = 0;
  private attempt = 0;
  private closedByUser = false;
  /** When the current connection was welcomed, on the clock; undefined while not open. */
  private openedAt: number | undefined;
  private timers: Partial<Record<'reconnect' | 'ping' | 'pong' | 'refresh', TimerHandle | undefined>> = {};
  private readonly stopWake: () => void;

  constructor(
    readonly options: ClientOptions<ContractDef>,
    parts: ClientParts,
  ) {
    super();
    this.contract = options.contract;
    this.urls = typeof options.url === 'string' ? [options.url] : options.url;
    checkOptions(options, this.urls);
    this.WebSocket = resolveWebSocket(options.WebSocket);
    this.codec = options.codec ?? superjsonCodec;
    this.clock = options.clock ?? systemClock;
    this.backoff = backoffPolicy(options.reconnect);
    this.requests = new Requests(this, options, this.clock);
    this.parts = parts;
    this.stopWake = onWake(() => this.wake());
    void this.connect();
  }

  // ---- namespaces and parts, made on first use -----------------------------------------

  get call(): Record<string, (input?: unknown, options?: CallOptions) => Promise<unknown>> {
    const made = this.namespaces;
    made.call ??= namespace((name) => (input, o) => this.request(name, input, o));
    return made.call;
  }

  /** Absent without the streams part. */
  get stream(): Record<string, (input?: unknown, options?: never) => unknown> | undefined {
    const made = this.namespaces;
    if (this.options.streams)
      made.stream ??= namespace((name) => (input, o) => this.openStreams().start(name, input, o));
    return made.stream;
  }

  /** Absent in a calls-only client. */
  get subscribe(): Record<string, SubscribeFunction> | undefined {
    const made = this.namespaces;
    if (this.parts.channels)
      made.subscribe ??= namespace(
        (topic) => (params, handler, o) => this.openChannels()!.add(topic, params, handler, o ?? {}),
      );
    return made.subscribe;
  }

  /** Absent in a calls-only client. */
  get publish(): Record<string, PublishFunction> | undefined {
    const made = this.namespaces;
    if (this.parts.channels)
      made.publish ??= namespace(
        (topic) => (params, message, o) => this.openChannels()!.publish(topic, params, message, o),
      );
    return made.publish;
  }

  /** The subscriptions part, made now if it was not; undefined in a calls-only client. */
  private openChannels(): Channels | undefined {
    const make = this.parts.channels;
    if (make && !this.channels) this.channels = make(this, this.requests, this.codec);
    return this.channels;
  }

  /** The streams part, made now if it was not (only reached when the client has it). */
  private openStreams(): Streams {
    if (!this.streams)
      this.streams = (this.options.streams as unknown as MakeStreams)({
        codec: this.codec,
        nextId: () => this.nextId(),
        send: (frame) => this.send(frame),
        track: (...args) => this.requests.track(...args),
      });
    return this.streams;
  }

  /** The server of the server's calls, made with its first call; undefined in a calls-only client. */
  private openServer(): CallServer | undefined {
    const make = this.parts.server;
    if (make && !this.server) this.server = make(this, this.codec);
    return this.server;
  }

  // ---- lifecycle ---------------------------------------------------------------------

  ready(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new SockkitError('UNAVAILABLE', 'client is closed'));
    return new Promise((resolve, reject) => {
      const off = this.on('state', (state) => {
        if (state === 'open') resolve();
        else if (state === 'closed')
          reject(new SockkitError('UNAVAILABLE', 'client closed before connecting'));
        else return;
        off();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closedByUser) return;
    this.closedByUser = true;
    this.stopWake();
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    this.flush(socket);
    socket?.close(NORMAL_CLOSE, 'client closed');
    this.shutDown(new SockkitError('UNAVAILABLE', 'client closed'));
  }

  private async connect(): Promise<void> {
    this.setState(this.session === undefined && this.attempt === 0 ? 'connecting' : 'reconnecting');
    let params: unknown;
    try {
      // Awaited even without a provider: a client closed in the turn it was made (a UI
      // framework's double mount) never opens a socket.
      params = await this.options.params?.();
    } catch (error) {
      this.emit('error', new SockkitError('UNAUTHORIZED', 'params provider failed', { cause: error }));
      return this.scheduleReconnect();
    }
    if (this.closedByUser) return;
    const url = this.urls[this.urlIndex % this.urls.length]!;
    let socket: SocketLike;
    try {
      socket = new this.WebSocket(url, [...OFFERED_SUBPROTOCOLS]);
    } catch (error) {
      this.emit('error', new SockkitError('UNAVAILABLE', `cannot open ${url}`, { cause: error }));
      return this.scheduleReconnect();
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      // Requests made before the first connection go right behind `hello`, in its frame (one
      // write, one read), when the server chose this version (v2), which keeps them. Not after
      // a session existed: subscriptions resume first, at `welcome`, and a request queued across
      // a drop is not risked on a handshake that may fail again; nor while subscriptions wait,
      // since they go first.
      const hello = helloFrame(params);
      if (this.session === undefined && socket.protocol === SUBPROTOCOL && !this.channels?.all().length) {
        this.send(hello);
        this.requests.sendEarly(utf8Length(hello));
      } else socket.send(hello);
    });
    socket.addEventListener('message', (event: { data: unknown }) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener('close', (event: { code: number; reason: string }) =>
      this.linkLost(socket, event.code, event.reason),
    );
    socket.addEventListener('error', () => {
      // A close event always follows; that is where recovery happens.
    });
  }

  private welcome(message: Extract<ServerMessage, { t: 'welcome' }>): void {
    this.session = message.session;
    this.connectionId = message.conn;
    this.requests.announced(message.limits);
    this.setState('open');
    this.openedAt = this.clock.now();
    this.armRefresh(message.expiresAt);
    this.armPing();
    this.channels?.resubscribeAll();
    this.requests.sendQueued();
  }

  private linkLost(socket: SocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.outbound = [];
    // A connection that stayed up `stableAfterMs` starts the backoff over (a timestamp, not a
    // timer per connection: it only matters when the link drops).
    if (this.openedAt !== undefined && this.clock.now() - this.openedAt >= this.backoff.stableAfterMs)
      this.attempt = 0;
    this.openedAt = undefined;
    this.clearTimers();
    this.server?.abortAll();
    this.channels?.linkLost();
    const lost = new SockkitError('UNAVAILABLE', `connection lost (${code}${reason ? ` ${reason}` : ''})`);
    if (this.closedByUser) return;
    const final = finalCloseError(code);
    if (final) {
      // A refusal for good (origin, credentials, version) or a disconnect: say why, once, and stop.
      const error = new SockkitError(final, reason || `closed by the server (${code})`, {
        details: { closeCode: code },
      });
      this.emit('error', error);
      this.shutDown(error);
      return;
    }
    // Calls the server may already have run fail; idempotent ones wait to be re-sent.
    this.requests.linkLost(lost);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closedByUser) return;
    if (this.attempt >= this.backoff.maxAttempts) {
      this.shutDown(new SockkitError('UNAVAILABLE', `gave up after ${this.attempt} reconnect attempts`));
      return;
    }
    this.setState('reconnecting');
    const delay = reconnectDelay(this.backoff, this.attempt++, this.options.random);
    this.urlIndex++;
    this.timers.reconnect = this.clock.setTimeout(() => {
      this.timers.reconnect = undefined;
      void this.connect();
    }, delay);
  }

  /** Back online or visible again: skip the rest of the backoff wait. */
  private wake(): void {
    if (this.timers.reconnect === undefined) return;
    this.clock.clearTimeout(this.timers.reconnect);
    this.timers.reconnect = undefined;
    void this.connect();
  }

  private shutDown(error: SockkitError): void {
    this.clearTimers();
    this.closedByUser = true;
    this.requests.rejectAll(error);
    this.channels?.endAll(error);
    this.setState('closed');
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  private clearTimers(): void {
    for (const handle of Object.values(this.timers))
      if (handle !== undefined) this.clock.clearTimeout(handle);
    this.timers = {};
  }

  // ---- liveness and auth -----------------------------------------------------------------

  private armPing(): void {
    const interval = this.options.pingIntervalMs ?? 25_000;
    if (interval <= 0) return;
    this.timers.ping = this.clock.setTimeout(() => {
      const socket = this.socket;
      if (!socket) return;
      this.send(pingFrame());
      this.timers.pong = this.clock.setTimeout(() => {
        // No answer: the link is dead even if the socket has not noticed yet.
        socket.close(HEARTBEAT_TIMEOUT_CLOSE, 'heartbeat timeout');
        this.linkLost(socket, HEARTBEAT_TIMEOUT_CLOSE, 'heartbeat timeout');
      }, this.options.pingTimeoutMs ?? 10_000);
    }, interval);
  }

  /** Any frame from the server proves the link alive. */
  private alive(): void {
    if (this.timers.pong === undefined) return;
    this.clock.clearTimeout(this.timers.pong);
    this.timers.pong = undefined;
    this.armPing();
  }

  private armRefresh(expiresAt: number | undefined): void {
    if (this.timers.refresh !== undefined) this.clock.clearTimeout(this.timers.refresh);
    this.timers.refresh = undefined;
    if (expiresAt === undefined) return;
    const delay = Math.max(0, expiresAt - this.clock.now() - (this.options.refreshBeforeExpiryMs ?? 30_000));
    this.timers.refresh = this.clock.setTimeout(
      () => {
        this.updateAuth().catch((error) => this.emit('error', SockkitError.from(error)));
      },
      Math.min(delay, 2 ** 31 - 1),
    );
  }

  async updateAuth(): Promise<void> {
    if (this.state !== 'open') return;
    const params = await this.options.params?.();
    const id = this.nextId();
    const expiresAt = await this.requests.track(id, authFrame(id, params), 'auth', {});
    this.armRefresh(expiresAt as number | undefined);
  }

  // ---- inbound ---------------------------------------------------------------------------

  private receive(data: unknown): void {
    if (typeof data !== 'string')
      return this.emit('error', new SockkitError('BAD_REQUEST', 'binary frame from server'));
    const messages = readFrame(data);
    if (typeof messages === 'string')
      return this.emit(
        'error',
        new SockkitError('BAD_REQUEST', `unreadable frame from server (${messages})`),
      );
    this.alive();
    for (const raw of messages) {
      const message = readServerMessage(raw);
      if (!message) {
        this.emit('error', new SockkitError('BAD_REQUEST', 'malformed message from server'));
        continue;
      }
      try {
        this.route(message);
      } catch (error) {
        // A payload the codec cannot decode: the call it answers fails; anything else is reported.
        this.failed(message.t === 'result' ? message.id : undefined, SockkitError.from(error));
      }
    }
  }

  private route(message: ServerMessage): void {
    switch (message.t) {
      case 'welcome':
        return this.welcome(message);
      case 'msg':
        return this.channels?.get(message.c)?.deliver(message.e, message.o, message.d, message.m);
      case 'result':
        this.requests.settle(message.id, undefined, this.codec.decode(message.d, message.m));
        return;
      case 'chunk':
        return this.streams?.chunk(message.id, message.d, message.m);
      case 'more':
        return this.streams?.more(message.id, message.n);
      case 'authok':
        this.requests.settle(message.id, undefined, message.expiresAt);
        return;
      case 'error':
        return this.failed(message.id, SockkitError.fromWire(message.e as WireError));
      case 'call': {
        const server = this.openServer();
        if (server) return void server.serve(message.id, message.p, message.d, message.m);
        return this.send(
          errorFrame(message.id, { code: 'NOT_FOUND', message: `no client handler for '${message.p}'` }),
        );
      }
      case 'cancel':
        return this.server?.cancel(message.id);
      case 'subscribed':
        // A join the server made itself may be this client's first subscription.
        return this.openChannels()?.confirmed(message);
      case 'unsubscribed':
        return this.channels?.ended(message);
      case 'presence':
        return this.channels?.get(message.c)?.presenceEvent(message.ev, message.member);
      case 'ping':
        return this.send(pongFrame(message.id));
      case 'pong':
        return;
    }
  }

  private failed(id: number | undefined, error: SockkitError): void {
    if (id === undefined) return this.emit('error', error);
    if (!this.channels?.refused(id, error)) this.requests.settle(id, error);
  }

  // ---- outbound ----------------------------------------------------------------------------

  /**
   * Queues a frame; frames queued in one turn leave together, in as few frames as the
   * server's announced `maxMessageBytes` allows. @internal
   */
  send(frame: string): void {
    if (!this.socket) return;
    this.outbound.push(frame);
    // A resolved promise rather than queueMicrotask: Node wraps each queueMicrotask in an AsyncResource.
    if (this.outbound.length === 1) void Promise.resolve().then(this.flushQueued);
  }

  private flush(socket: SocketLike | undefined): void {
    if (this.outbound.length === 0) return;
    const frames = this.outbound;
    this.outbound = [];
    if (socket?.readyState !== 1) return;
    // One message goes as it is (alone even when too large: the server answers it by id).
    if (frames.length === 1) return socket.send(frames[0]!);
    for (const batch of splitBatches(frames, this.requests.maxMessageBytes)) socket.send(batchFrame(batch));
  }

  private readonly flushQueued = (): void => this.flush(this.socket);

  private request(name: string, input: unknown, options: CallOptions = NO_OPTIONS): Promise<unknown> {
    const tracer = this.options.tracer;
    if (tracer) return tracer.call(name, (tp) => this.sendCall(name, input, options, tp));
    return this.sendCall(name, input, options);
  }

  private sendCall(name: string, input: unknown, options: CallOptions, tp?: string): Promise<unknown> {
    // The contract's settings, or those given without it (none: default timeout, never re-sent).
    const def: Partial<ProcedureDef> =
      lookup(this.contract ? this.contract.server : this.options.procedures, name) ?? NO_SETTINGS;
    const id = this.nextId();
    let frame: string;
    try {
      frame = callFrame(id, name, this.codec.encode(input), tp);
    } catch (error) {
      return Promise.reject(
        new SockkitError('BAD_REQUEST', `input of ${name} cannot be encoded`, { cause: error }),
      );
    }
    return this.requests.track(
      id,
      frame,
      name,
      options,
      def.idempotent === true ? IDEMPOTENT_CALL : CALL,
      def.timeout,
    );
  }

  // ---- subscriptions --------------------------------------------------------------------------

  subscriptions(): AnySubscription[] {
    return this.channels?.all() ?? [];
  }

  /** @internal A fresh request id. */
  nextId(): number {
    return ++this.lastId;
  }

  /** @internal The server subscribed this connection to a channel. */
  joined(sub: AnySubscription): void {
    this.emit('subscription', sub);
  }
}
