/**
 * Options and public types of the client, derived from the contract `C`.
 */
import type {
  CallArgs,
  Caller,
  CallInput,
  ClientProcedures,
  ClientPublishableTopics,
  Clock,
  Codec,
  HandlerOutput,
  Handlers,
  PresenceState,
  PresenceStateInput,
  ServerProcedures,
  SockkitError,
  StreamChunk,
  StreamChunkInput,
  StreamOutput,
  Streams,
  TopicMessage,
  TopicParamsInput,
  TopicPublishInput,
  Topics,
} from '@sockkit/core';
import type { ReconnectOptions } from './backoff.js';
import type { CallTracer } from './call-tracer.js';
import type { SocketConstructor } from './environment.js';
import type { ClientCallContext } from './serve.js';
import type { SendStreamOptions, ServerStream, StreamOptions, StreamsPart } from './streams.js';
import type { MessageInfo, Subscription } from './subscriptions.js';

/** The client's connection state. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Options of one call. */
export interface CallOptions {
  /** Milliseconds before TIMEOUT; counts from the call, including time queued offline. */
  timeout?: number;
  /** Aborting rejects with CANCELLED and tells the server to abort the handler. */
  signal?: AbortSignal;
}

/** Options of one publish. */
export interface PublishOptions extends CallOptions {
  /** Skip history for this message. */
  volatile?: boolean;
}

/** Where a publish landed. */
export interface PublishResult {
  /** The channel's epoch. */
  epoch: string;
  /** Absent for volatile messages. */
  offset?: number;
}

/** Options of a subscribe. */
export interface SubscribeOptions<T> {
  /** Presence state to join with (topics with presence). */
  presence?: PresenceStateInput<T>;
  /** Aborting unsubscribes; iterators end cleanly. */
  signal?: AbortSignal;
  /**
   * Receive the last `history` messages the channel's history holds before live ones (at most
   * 1,000). After a reconnect the subscription resumes where it was; if that is no longer
   * possible (`recovered: false`), these last messages come again, so an app that clears its
   * view on `recovered(false)` rebuilds it from what follows.
   */
  history?: number;
  /**
   * Most messages an async iterator of this subscription holds for a loop that has not taken
   * them yet; past it the loop throws LIMIT_EXCEEDED. Default 10,000.
   */
  maxBuffered?: number;
}

/**
 * Handlers for the procedures the server calls on a client created without the contract
 * object: each gets the input as the server sent it, unchecked, which is the schema's input
 * type (for a schema that transforms, the value before the transform).
 */
export type TrustedHandlers<Procs, Ctx> = {
  [K in keyof Procs]: (
    input: CallInput<Procs[K]>,
    ctx: Ctx,
  ) => HandlerOutput<Procs[K]> | Promise<HandlerOutput<Procs[K]>>;
};

/**
 * Options of {@link createSockkitClient}. The contract object is optional: the type parameter
 * alone types the client (`createSockkitClient<typeof contract>({ url })`, with `import type`),
 * which keeps zod and the schemas out of the bundle. Given, the client also validates the
 * server's calls to it against their input schemas (handlers get the validated, transformed
 * input) and uses each procedure's `timeout` and `idempotent`.
 */
export type ClientOptions<C> = TypeOnlyClientOptions<C> | ContractClientOptions<C>;

/**
 * What the contract says of each server procedure beyond its schemas, for a client without
 * the contract object (zod-free, e.g. `{ openDoc: { idempotent: true } }`): idempotent calls
 * in flight when the link drops are re-sent instead of failing, and `timeout` is the
 * procedure's default. Given the contract, its own settings apply.
 */
export type ProcedureSettings<C> = {
  readonly [K in keyof ServerProcedures<C>]?: { readonly idempotent?: boolean; readonly timeout?: number };
};

/** Options of a client typed from the contract's type alone. */
export interface TypeOnlyClientOptions<C> extends ClientSettings {
  /** No contract at run time: types come from the type parameter alone. */
  contract?: undefined;
  /** Per-procedure settings the contract would give (`idempotent`, `timeout`); none by default. */
  procedures?: ProcedureSettings<C>;
  /** Handlers for the procedures the server calls on this client; inputs as sent, unchecked. */
  handlers?: NoInfer<Partial<TrustedHandlers<ClientProcedures<C>, ClientCallContext>>>;
}

/** Options of a client given the contract object. */
export interface ContractClientOptions<C> extends ClientSettings {
  /** The contract from `defineContract`: turns on the checks that need its schemas. */
  contract: C;
  /** The contract's own settings apply. */
  procedures?: undefined;
  /** Handlers for the procedures the server calls on this client; inputs validated. */
  handlers?: NoInfer<Partial<Handlers<ClientProcedures<C>, ClientCallContext>>>;
}

/** Options of a client besides the contract and handlers. */
export interface ClientSettings {
  /** The server's WebSocket URL, or several: reconnects go round them in order. */
  url: string | readonly string[];
  /**
   * Connection params (e.g. a token), sent in the first message of every connection and
   * never in the URL. Called again before each (re)connect and `updateAuth()`.
   */
  params?: () => unknown;
  /** Default call timeout in ms. Default 30,000. */
  timeout?: number;
  /** Calls made while disconnected: queued until connected (default) or rejected with UNAVAILABLE. */
  offline?: 'queue' | 'reject';
  /**
   * Most requests queued while disconnected; more are rejected with LIMIT_EXCEEDED. Default
   * 1,000. (Calls made while connected beyond the server's `maxCallsInFlight` wait for a slot,
   * bounded by their timeouts.)
   */
  maxQueued?: number;
  /** Reconnect policy, or false to never reconnect. */
  reconnect?: ReconnectOptions | false;
  /** Application-level ping interval (browsers cannot see WebSocket pings). Default 25,000; 0 disables. */
  pingIntervalMs?: number;
  /** A ping unanswered this long means a dead link: reconnect. Default 10,000. */
  pingTimeoutMs?: number;
  /** How long before a session's `expiresAt` the client refreshes in-band. Default 30,000. */
  refreshBeforeExpiryMs?: number;
  /** WebSocket constructor; default the global one (browsers, Node ≥ 22). */
  WebSocket?: SocketConstructor;
  /** Payload codec; must match the server's. Default superjson. */
  codec?: Codec;
  /** Time source (tests drive it with fake timers). */
  clock?: Clock;
  /** Random source for backoff jitter. */
  random?: () => number;
  /**
   * Traces each call and carries its trace context to the server (`tp`); e.g.
   * `otelCallTracer()` from `@sockkit/client/otel`. Default: none, and nothing of it is bundled.
   */
  tracer?: CallTracer;
  /**
   * The `streams` export of `@sockkit/client`, to open the contract's streams (`client.stream`).
   * Default: none, and nothing of streaming is bundled.
   */
  streams?: StreamsPart;
}

/** Options of {@link createSockkitCallClient}: those of a full client but `handlers`. */
export type CallClientOptions<C> =
  | Omit<TypeOnlyClientOptions<C>, 'handlers'>
  | Omit<ContractClientOptions<C>, 'handlers'>;

/** Client events. */
export type ClientEvents = {
  state: [state: ConnectionState];
  /** Errors nothing else reports: refused connections, protocol errors from the server. */
  error: [error: SockkitError];
  /** The server subscribed this connection to a channel. */
  subscription: [subscription: Subscription<unknown, unknown>];
};

/** A typed subscribe function for topic `T`. */
export type SubscribeFn<T> = (
  params: TopicParamsInput<T>,
  handler?: (message: TopicMessage<T>, info: MessageInfo) => void,
  options?: SubscribeOptions<T>,
) => Subscription<TopicMessage<T>, PresenceState<T>>;

/**
 * A typed stream function for stream `S`. A server stream returns what the caller reads with
 * `for await`; a client stream takes its chunks as `options.source` and resolves with the answer.
 */
export type StreamFn<S> = S extends { direction: 'client' }
  ? (input: CallInput<S>, options: SendStreamOptions<StreamChunkInput<S>>) => Promise<StreamOutput<S>>
  : (...args: CallArgs<S, StreamOptions>) => ServerStream<StreamChunk<S>, StreamOutput<S>>;

/** A sockkit client, typed from contract `C`. */
export interface SockkitClient<C> {
  /** Current connection state. */
  readonly state: ConnectionState;
  /** Session id from the server's welcome, once connected. */
  readonly session: string | undefined;
  /** Connection id (also the presence member id), once connected. */
  readonly connectionId: string | undefined;
  /** Calls a server procedure. */
  readonly call: Caller<ServerProcedures<C>, CallOptions>;
  /** Subscribes to a channel of a topic. */
  readonly subscribe: { [K in keyof Topics<C>]: SubscribeFn<Topics<C>[K]> };
  /** Publishes to a channel of a topic that clients may publish to. */
  readonly publish: {
    [K in ClientPublishableTopics<C> & keyof Topics<C>]: (
      params: TopicParamsInput<Topics<C>[K]>,
      message: TopicPublishInput<Topics<C>[K]>,
      options?: PublishOptions,
    ) => Promise<PublishResult>;
  };
  /** Live subscriptions. */
  subscriptions(): Subscription<unknown, unknown>[];
  /** Listens to client events; returns the remover. */
  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void;
  /** Resolves when the connection is open; rejects if the client closes first. */
  ready(): Promise<void>;
  /** Re-reads `params` and re-authenticates the open session in-band, without reconnecting. */
  updateAuth(): Promise<void>;
  /** Closes for good: no reconnect; pending calls fail with UNAVAILABLE. */
  close(): Promise<void>;
}

/** A client that only calls the server, typed from contract `C`. */
export type SockkitCallClient<C> = Omit<SockkitClient<C>, 'subscribe' | 'publish' | 'subscriptions'>;

/** What a client created with the `streams` option adds, typed from contract `C`. */
export interface ClientStreams<C> {
  /**
   * Opens a stream: `for await (const chunk of client.stream.tokens(input, { signal }))` reads
   * a server stream; `await client.stream.upload(input, { source })` writes a client stream.
   */
  readonly stream: { [K in keyof Streams<C>]: StreamFn<Streams<C>[K]> };
}

/** Options that include the `streams` part. */
export interface WithStreams {
  /** The `streams` export of `@sockkit/client`. */
  streams: StreamsPart;
}
