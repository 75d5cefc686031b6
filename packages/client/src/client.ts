/**
 * `createSockkitClient`: the connection state machine (connect, handshake, reconnect with
 * backoff, dead-link detection, in-band auth refresh) and the typed call, subscribe and
 * publish APIs on top of it.
 */
import {
  batchFrame,
  CLOSE_CODES,
  type Clock,
  type Codec,
  type ContractDef,
  callFrame,
  Emitter,
  lookup,
  PendingCalls,
  readFrame,
  type ServerMessage,
  SockkitError,
  SUBPROTOCOL,
  serverMessageSchema,
  shouldReconnect,
  superjsonCodec,
  systemClock,
  type TimerHandle,
  type WireError,
} from '@sockkit/core';
import { type Backoff, backoffPolicy, reconnectDelay } from './backoff.js';
import { onWake, resolveWebSocket, type SocketConstructor, type SocketLike } from './environment.js';
import type {
  CallOptions,
  ClientEvents,
  ClientOptions,
  ConnectionState,
  PublishOptions,
  SockkitClient,
  SubscribeOptions,
} from './options.js';
import { CallServer } from './serve.js';
import { Subscription, type SubscriptionHost } from './subscriptions.js';

const DEFAULT_TIMEOUT_MS = 30_000;

/** A call this client sent or will send. */
interface Outgoing {
  frame: string;
  sent: boolean;
  /** Re-sent after a reconnect instead of failing. */
  idempotent: boolean;
}

type AnySubscription = Subscription<unknown, unknown>;

/**
 * Creates a client. It connects at once and keeps the connection up until `close()`.
 *
 * @example
 * ```ts
 * const client = createSockkitClient({ url: 'wss://example.com/ws', contract });
 * const reply = await client.call.echo({ text: 'hi' });
 * ```
 */
export function createSockkitClient<const C extends ContractDef>(
  options: ClientOptions<C>,
): SockkitClient<C> {
  return new Client(options as ClientOptions<ContractDef>) as unknown as SockkitClient<C>;
}

class Client extends Emitter<ClientEvents> implements SubscriptionHost {
  state: ConnectionState = 'connecting';
  session: string | undefined;
  connectionId: string | undefined;
  readonly call: Record<string, (input?: unknown, options?: CallOptions) => Promise<unknown>> = {};
  readonly subscribe: Record<
    string,
    (
      params: unknown,
      handler?: (m: unknown, i: unknown) => void,
      o?: SubscribeOptions<unknown>,
    ) => AnySubscription
  > = {};
  readonly publish: Record<
    string,
    (params: unknown, message: unknown, o?: PublishOptions) => Promise<unknown>
  > = {};

  private readonly contract: ContractDef;
  private readonly urls: readonly string[];
  private urlIndex = 0;
  private readonly WebSocket: SocketConstructor;
  private readonly codec: Codec;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly pending: PendingCalls;
  private readonly server: CallServer;
  private readonly subs = new Set<AnySubscription>();
  private readonly byChannel = new Map<string, AnySubscription>();
  private readonly subRequests = new Map<number, AnySubscription>();
  private socket: SocketLike | undefined;
  private outbound: string[] = [];
  private nextId = 1;
  private attempt = 0;
  private maxMessageBytes = Number.POSITIVE_INFINITY;
  private closedByUser = false;
  private timers: Partial<
    Record<'reconnect' | 'stable' | 'ping' | 'pong' | 'refresh', TimerHandle | undefined>
  > = {};
  private readonly stopWake: () => void;

  constructor(private readonly options: ClientOptions<ContractDef>) {
    super();
    this.contract = options.contract;
    this.urls = typeof options.url === 'string' ? [options.url] : options.url;
    if (this.urls.length === 0) throw new TypeError('sockkit: url is empty');
    this.WebSocket = resolveWebSocket(options.WebSocket);
    this.codec = options.codec ?? superjsonCodec;
    this.clock = options.clock ?? systemClock;
    this.backoff = backoffPolicy(options.reconnect);
    this.pending = new PendingCalls(this.clock);
    this.server = new CallServer(this.contract, (options.handlers ?? {}) as never, this.codec, (frame) =>
      this.send(frame),
    );
    for (const name of Object.keys(this.contract.server ?? {})) {
      this.call[name] = (input, o) => this.request(name, input, o);
    }
    for (const [topic, def] of Object.entries(this.contract.topics ?? {})) {
      this.subscribe[topic] = (params, handler, o) => this.addSubscription(topic, params, handler, o);
      if (def.publish === 'client')
        this.publish[topic] = (params, message, o) => this.sendPublish(topic, params, message, o);
    }
    this.stopWake = onWake(() => this.wake());
    void this.connect();
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
    socket?.close(CLOSE_CODES.NORMAL.code, 'client closed');
    this.shutDown(new SockkitError('UNAVAILABLE', 'client closed'));
  }

  private async connect(): Promise<void> {
    this.setState(this.session === undefined && this.attempt === 0 ? 'connecting' : 'reconnecting');
    let params: unknown;
    try {
      params = await this.options.params?.();
    } catch (error) {
      this.emit('error', new SockkitError('UNAUTHORIZED', 'params provider failed', { cause: error }));
      return this.scheduleReconnect();
    }
    if (this.closedByUser) return;
    const url = this.urls[this.urlIndex % this.urls.length]!;
    let socket: SocketLike;
    try {
      socket = new this.WebSocket(url, [SUBPROTOCOL]);
    } catch (error) {
      this.emit('error', new SockkitError('UNAVAILABLE', `cannot open ${url}`, { cause: error }));
      return this.scheduleReconnect();
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      const hello =
        params === undefined ? '{"t":"hello"}' : `{"t":"hello","params":${JSON.stringify(params)}}`;
      socket.send(hello);
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
    this.maxMessageBytes = message.limits.maxMessageBytes;
    this.setState('open');
    this.timers.stable = this.clock.setTimeout(() => {
      this.attempt = 0;
    }, this.backoff.stableAfterMs);
    this.armRefresh(message.expiresAt);
    this.armPing();
    for (const sub of this.subs) this.sendSubscribe(sub);
    for (const [, data] of this.pending.entriesData()) {
      const out = data as Outgoing;
      if (!out.sent) {
        out.sent = true;
        this.send(out.frame);
      }
    }
  }

  private linkLost(socket: SocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.outbound = [];
    this.clearTimers();
    this.server.abortAll();
    this.subRequests.clear();
    const lost = new SockkitError('UNAVAILABLE', `connection lost (${code}${reason ? ` ${reason}` : ''})`);
    if (this.closedByUser) return;
    if (!shouldReconnect(code)) {
      const code4001 = code === CLOSE_CODES.UNAUTHORIZED.code;
      const error = new SockkitError(
        code4001 ? 'UNAUTHORIZED' : 'UNAVAILABLE',
        reason || `closed by the server (${code})`,
      );
      this.emit('error', error);
      this.shutDown(error);
      return;
    }
    // Calls the server may already have run fail; idempotent ones wait to be re-sent.
    this.pending.rejectWhere(lost, (data) => (data as Outgoing).sent && !(data as Outgoing).idempotent);
    for (const [, data] of this.pending.entriesData()) (data as Outgoing).sent = false;
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
    this.pending.rejectWhere(error);
    for (const sub of [...this.subs]) sub.end(error);
    this.subs.clear();
    this.byChannel.clear();
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
      this.send('{"t":"ping"}');
      this.timers.pong = this.clock.setTimeout(() => {
        // No answer: the link is dead even if the socket has not noticed yet.
        socket.close(CLOSE_CODES.HEARTBEAT_TIMEOUT.code, 'heartbeat timeout');
        this.linkLost(socket, CLOSE_CODES.HEARTBEAT_TIMEOUT.code, 'heartbeat timeout');
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
    const id = this.nextId++;
    const frame =
      params === undefined
        ? `{"t":"auth","id":${id}}`
        : `{"t":"auth","id":${id},"params":${JSON.stringify(params)}}`;
    const expiresAt = await this.track(id, frame, 'auth', {}, false);
    this.armRefresh(expiresAt as number | undefined);
  }

  // ---- inbound ---------------------------------------------------------------------------

  private receive(data: unknown): void {
    if (typeof data !== 'string')
      return this.emit('error', new SockkitError('BAD_REQUEST', 'binary frame from server'));
    const frame = readFrame(data);
    if (!frame.ok)
      return this.emit(
        'error',
        new SockkitError('BAD_REQUEST', `unreadable frame from server (${frame.reason})`),
      );
    this.alive();
    for (const raw of frame.messages) {
      const parsed = serverMessageSchema.safeParse(raw);
      if (parsed.success) this.route(parsed.data);
      else this.emit('error', new SockkitError('BAD_REQUEST', 'malformed message from server'));
    }
  }

  private route(message: ServerMessage): void {
    switch (message.t) {
      case 'welcome':
        return this.welcome(message);
      case 'msg':
        return this.byChannel.get(message.c)?.deliver(message.e, message.o, message.d, message.m);
      case 'result':
        this.pending.settle(message.id, undefined, this.codec.decode(message.d, message.m));
        return;
      case 'authok':
        this.pending.settle(message.id, undefined, message.expiresAt);
        return;
      case 'error':
        return this.failed(message.id, SockkitError.fromWire(message.e as WireError));
      case 'call':
        return void this.server.serve(message.id, message.p, message.d, message.m);
      case 'cancel':
        return this.server.cancel(message.id);
      case 'subscribed':
        return this.subscribed(message);
      case 'unsubscribed': {
        const sub = this.byChannel.get(message.c);
        if (!sub) return;
        this.forget(sub);
        if (message.e) sub.fail(SockkitError.fromWire(message.e as WireError));
        else sub.end();
        return;
      }
      case 'presence':
        return this.byChannel.get(message.c)?.presenceEvent(message.ev, message.member);
      case 'ping':
        return this.send(message.id === undefined ? '{"t":"pong"}' : `{"t":"pong","id":${message.id}}`);
      case 'pong':
        return;
    }
  }

  private failed(id: number | undefined, error: SockkitError): void {
    if (id === undefined) return this.emit('error', error);
    const sub = this.subRequests.get(id);
    if (sub) {
      this.subRequests.delete(id);
      this.forget(sub);
      sub.fail(error);
      return;
    }
    this.pending.settle(id, error);
  }

  // ---- outbound ----------------------------------------------------------------------------

  /** Queues a frame; frames queued in one turn leave as one batch frame. */
  private send(frame: string): void {
    if (!this.socket) return;
    this.outbound.push(frame);
    // A resolved promise rather than queueMicrotask: Node wraps each queueMicrotask in an AsyncResource.
    if (this.outbound.length === 1) void Promise.resolve().then(() => this.flush(this.socket));
  }

  private flush(socket: SocketLike | undefined): void {
    if (this.outbound.length === 0) return;
    const frames = this.outbound;
    this.outbound = [];
    if (socket && socket.readyState === 1) socket.send(batchFrame(frames));
  }

  /** Registers an outgoing request and sends it now or when connected. */
  private track(
    id: number,
    frame: string,
    label: string,
    options: CallOptions,
    idempotent: boolean,
    timeout?: number,
  ): Promise<unknown> {
    if (this.state === 'closed') return Promise.reject(new SockkitError('UNAVAILABLE', 'client is closed'));
    if (frame.length > this.maxMessageBytes / 3 && utf8Length(frame) > this.maxMessageBytes) {
      return Promise.reject(
        new SockkitError(
          'PAYLOAD_TOO_LARGE',
          `${label} exceeds the server's limit of ${this.maxMessageBytes} bytes`,
          {
            details: { limit: this.maxMessageBytes },
          },
        ),
      );
    }
    const open = this.state === 'open';
    if (!open) {
      if (this.options.offline === 'reject')
        return Promise.reject(new SockkitError('UNAVAILABLE', 'not connected'));
      let queued = 0;
      for (const [, data] of this.pending.entriesData()) if (!(data as Outgoing).sent) queued++;
      const max = this.options.maxQueued ?? 1000;
      if (queued >= max) {
        return Promise.reject(
          new SockkitError('LIMIT_EXCEEDED', `more than ${max} calls queued while offline`, {
            details: { limit: max },
          }),
        );
      }
    }
    const out: Outgoing = { frame, sent: open, idempotent };
    const promise = this.pending.add(
      id,
      {
        label,
        timeoutMs: options.timeout ?? timeout ?? this.options.timeout ?? DEFAULT_TIMEOUT_MS,
        signal: options.signal,
        onGiveUp: (gaveUp, data) => {
          if ((data as Outgoing).sent) this.send(`{"t":"cancel","id":${gaveUp}}`);
        },
      },
      out,
    );
    if (open) this.send(frame);
    return promise;
  }

  private request(name: string, input: unknown, options: CallOptions = {}): Promise<unknown> {
    const def = lookup(this.contract.server, name)!;
    const id = this.nextId++;
    let frame: string;
    try {
      frame = callFrame(id, name, this.codec.encode(input));
    } catch (error) {
      return Promise.reject(
        new SockkitError('BAD_REQUEST', `input of ${name} cannot be encoded`, { cause: error }),
      );
    }
    return this.track(id, frame, name, options, def.idempotent === true, def.timeout);
  }

  private sendPublish(
    topic: string,
    params: unknown,
    message: unknown,
    options: PublishOptions = {},
  ): Promise<unknown> {
    const id = this.nextId++;
    const payload = this.codec.encode(message);
    const paramsPart = params === undefined ? '' : `,"params":${JSON.stringify(params)}`;
    const volatile = options.volatile ? ',"volatile":true' : '';
    const d = payload.json === undefined ? '' : `,"d":${payload.json}`;
    const m = payload.meta === undefined ? '' : `,"m":${payload.meta}`;
    const frame = `{"t":"pub","id":${id},"topic":${JSON.stringify(topic)}${paramsPart}${d}${m}${volatile}}`;
    return this.track(id, frame, `publish to ${topic}`, options, false);
  }

  // ---- subscriptions --------------------------------------------------------------------------

  subscriptions(): AnySubscription[] {
    return [...this.subs];
  }

  private addSubscription(
    topic: string,
    params: unknown,
    handler: ((message: unknown, info: unknown) => void) | undefined,
    options: SubscribeOptions<unknown> = {},
  ): AnySubscription {
    const sub = new Subscription<unknown, unknown>(topic, params, this, options.presence);
    if (handler) sub.on('message', handler);
    if (this.state === 'closed') {
      sub.end(new SockkitError('UNAVAILABLE', 'client is closed'));
      return sub;
    }
    this.subs.add(sub);
    if (options.signal) {
      if (options.signal.aborted) sub.unsubscribe();
      else options.signal.addEventListener('abort', () => sub.unsubscribe(), { once: true });
    }
    if (this.state === 'open') this.sendSubscribe(sub);
    return sub;
  }

  private sendSubscribe(sub: AnySubscription): void {
    const id = this.nextId++;
    sub.requestId = id;
    this.subRequests.set(id, sub);
    const params = sub.params === undefined ? '' : `,"params":${JSON.stringify(sub.params)}`;
    const from = sub.position ? `,"from":${JSON.stringify(sub.position)}` : '';
    let presence = '';
    if (sub.presenceState !== undefined) {
      const payload = this.codec.encode(sub.presenceState);
      presence = `,"presence":{${payload.json === undefined ? '' : `"d":${payload.json}`}${payload.meta === undefined ? '' : `,"m":${payload.meta}`}}`;
    }
    this.send(`{"t":"sub","id":${id},"topic":${JSON.stringify(sub.topic)}${params}${from}${presence}}`);
  }

  private subscribed(message: Extract<ServerMessage, { t: 'subscribed' }>): void {
    let sub = message.id === undefined ? undefined : this.subRequests.get(message.id);
    if (sub) {
      this.subRequests.delete(message.id!);
      if (sub.ended) {
        // Unsubscribed while the request was in flight.
        this.sendUnsubscribeFrame(message.c);
        return;
      }
    } else {
      // The server subscribed this connection itself (or confirms a server-side join again).
      sub = this.byChannel.get(message.c);
      if (!sub) {
        sub = new Subscription<unknown, unknown>(message.topic, message.params, this, undefined);
        this.subs.add(sub);
        this.byChannel.set(message.c, sub);
        sub.confirmed(
          message.c,
          { epoch: message.epoch, offset: message.offset },
          message.recovered,
          message.presence,
        );
        this.emit('subscription', sub);
        return;
      }
    }
    this.byChannel.set(message.c, sub);
    const sentPresence = sub.presenceState;
    sub.confirmed(
      message.c,
      { epoch: message.epoch, offset: message.offset },
      message.recovered,
      message.presence,
    );
    if (sub.presenceState !== sentPresence) void this.sendPresence(sub, sub.presenceState);
  }

  private forget(sub: AnySubscription): void {
    this.subs.delete(sub);
    if (sub.channel !== undefined && this.byChannel.get(sub.channel) === sub)
      this.byChannel.delete(sub.channel);
  }

  sendUnsubscribe(sub: AnySubscription): void {
    this.forget(sub);
    if (sub.channel !== undefined && this.state === 'open') this.sendUnsubscribeFrame(sub.channel);
  }

  private sendUnsubscribeFrame(channel: string): void {
    const id = this.nextId++;
    this.track(id, `{"t":"unsub","id":${id},"c":${JSON.stringify(channel)}}`, 'unsubscribe', {}, false).catch(
      () => {},
    );
  }

  async sendPresence(sub: AnySubscription, state: unknown): Promise<void> {
    // Not confirmed or offline: the state goes with the next (re)subscribe.
    if (
      sub.channel === undefined ||
      this.state !== 'open' ||
      (sub.requestId !== undefined && this.subRequests.has(sub.requestId))
    )
      return;
    const id = this.nextId++;
    const payload = this.codec.encode(state);
    const d = payload.json === undefined ? '' : `,"d":${payload.json}`;
    const m = payload.meta === undefined ? '' : `,"m":${payload.meta}`;
    await this.track(
      id,
      `{"t":"pset","id":${id},"c":${JSON.stringify(sub.channel)}${d}${m}}`,
      'presence',
      {},
      false,
    );
  }

  decode(json: unknown, meta: unknown): unknown {
    return this.codec.decode(json, meta);
  }
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
