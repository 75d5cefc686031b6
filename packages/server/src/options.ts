/**
 * The server's options and the types its hooks and handlers see. Every type is derived from
 * the contract `C` and the auth context `Ctx` that `authenticate` returns.
 */
import type { Server as HttpServer, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type {
  CallArgs,
  Caller,
  CallOutput,
  ClientProcedures,
  Clock,
  Codec,
  Handlers,
  Limits,
  PresenceState,
  PresenceStateInput,
  ServerProcedures,
  StreamHandlers,
  Streams,
  TopicMessage,
  TopicMessageInput,
  TopicParams,
  TopicParamsInput,
  TopicPublished,
  Topics,
} from '@sockkit/core';
import type * as z from 'zod';
import type { Broker } from './broker.js';
import type { Logger } from './logger.js';
import type { ServerObserver, ServerSnapshot } from './observer.js';
import type { ServerRelay, UserCallResult } from './relay.js';

/**
 * What a connection keeps of its HTTP upgrade request: headers (cookies), URL and peer
 * address. A snapshot, so an open connection does not hold the whole request object. The
 * WebSocket handshake's own headers (`connection`, `upgrade`, `sec-websocket-*`) are left out:
 * they describe the socket, not the client.
 */
export interface UpgradeRequest {
  /** Request headers, lower-cased. */
  readonly headers: IncomingHttpHeaders;
  /** Request URL (path and query). */
  readonly url: string;
  /** The peer's address as the socket saw it (a proxy's, behind one). */
  readonly remoteAddress: string | undefined;
}

/** What `authenticate` sees of a connecting client. */
export interface AuthRequest {
  /** The HTTP upgrade request: headers, cookies, remote address. */
  request: UpgradeRequest;
  /** The client's connection params (from its `params` provider), unvalidated. */
  params: unknown;
  /** Whether this is an in-band refresh of an open session rather than a new connection. */
  refresh: boolean;
}

/** What `authenticate` returns for an accepted client. */
export interface AuthResult<Ctx> {
  /** The typed context handlers and hooks receive as `auth`. */
  context: Ctx;
  /** A user key: groups a user's connections (`server.connectionsOf`) and presence. */
  user?: string;
  /** Epoch ms after which the session is closed (4002) unless refreshed in-band. */
  expiresAt?: number;
}

/** Options of a server → client call. */
export interface ServerCallOptions {
  /** Milliseconds before TIMEOUT. Default: the procedure's `timeout`, else 30 s. */
  timeout?: number;
  /** Aborting rejects with CANCELLED and tells the client to abort its handler. */
  signal?: AbortSignal;
}

/** Options of a server-side subscribe. */
export interface ServerSubscribeOptions<T> {
  /** Presence state to join with, when the topic has presence. */
  presence?: PresenceStateInput<T>;
}

/** One connected, authenticated client, as handlers and hooks see it. */
export interface ServerConnection<C = unknown, Ctx = unknown> {
  /** Connection id: random, unique across nodes; also the presence member id. */
  readonly id: string;
  /** Session id the client sees in `welcome`. */
  readonly session: string;
  /** User key from `authenticate`. */
  readonly user: string | undefined;
  /** Auth context from `authenticate` (replaced by an in-band refresh). */
  readonly auth: Ctx;
  /** The upgrade request. */
  readonly request: UpgradeRequest;
  /** Calls a procedure on this client, typed from the contract's `client` section. */
  readonly call: Caller<ClientProcedures<C>, ServerCallOptions>;
  /** Subscribes this connection to a channel (server-side join). */
  readonly subscribe: {
    [K in keyof Topics<C>]: (
      params: TopicParamsInput<Topics<C>[K]>,
      options?: ServerSubscribeOptions<Topics<C>[K]>,
    ) => Promise<void>;
  };
  /** Removes this connection from a channel. */
  readonly unsubscribe: {
    [K in keyof Topics<C>]: (params: TopicParamsInput<Topics<C>[K]>) => Promise<void>;
  };
  /** Channel keys this connection is subscribed to. */
  channels(): string[];
  /** Closes the connection with a WebSocket close code. */
  close(code?: number, reason?: string): void;
}

/** What a handler receives besides its input. */
export interface CallContext<C = unknown, Ctx = unknown> {
  /** The auth context. */
  readonly auth: Ctx;
  /** The calling connection. */
  readonly conn: ServerConnection<C, Ctx>;
  /** The server: publish, reach connections and users on any node, read history. */
  readonly server: SockkitServer<C, Ctx>;
  /** Aborts when the client cancels, the call times out or the connection drops. */
  readonly signal: AbortSignal;
  /** The procedure being called. */
  readonly procedure: string;
}

/** One call as middleware sees it. */
export interface MiddlewareCall<C, Ctx> {
  /** The procedure being called. */
  readonly procedure: string;
  /** The validated input. */
  readonly input: unknown;
  /** The context the handler will receive. */
  readonly ctx: CallContext<C, Ctx>;
}

/**
 * Runs around every handler; call `next()` to continue, throw a SockkitError to refuse.
 * @example
 * ```ts
 * const timing: Middleware = async (call, next) => {
 *   const start = performance.now();
 *   try { return await next(); } finally { log(call.procedure, performance.now() - start); }
 * };
 * ```
 */
export type Middleware<C = unknown, Ctx = unknown> = (
  call: MiddlewareCall<C, Ctx>,
  next: () => Promise<unknown>,
) => Promise<unknown>;

/** What topic hooks receive. */
export interface TopicHookContext<C, Ctx, T> {
  /** The connection's auth context. */
  readonly auth: Ctx;
  /** The connection subscribing or publishing. */
  readonly conn: ServerConnection<C, Ctx>;
  /** The server: publish, reach connections and users on any node, read history. */
  readonly server: SockkitServer<C, Ctx>;
  /** The channel's params, validated. */
  readonly params: TopicParams<T>;
}

/** Per-topic authorization and publish hooks. */
export interface TopicHooks<C, Ctx, T> {
  /** Who may subscribe and publish. */
  authorize?: {
    /** Return false (or throw) to refuse a subscribe with FORBIDDEN. Default: allowed. */
    subscribe?: (ctx: TopicHookContext<C, Ctx, T>) => boolean | Promise<boolean>;
    /** Return false (or throw) to refuse a client publish with FORBIDDEN. Default: allowed where the contract lets clients publish. */
    publish?: (ctx: TopicHookContext<C, Ctx, T>) => boolean | Promise<boolean>;
  };
  /**
   * Sees each client publish after validation; returns the message to publish (possibly
   * changed) or throws a SockkitError to reject it. For a topic with `publishInput` it is
   * required: it turns what the client sent into the message subscribers receive (stamping
   * the author, say), which the server then checks against the topic's `message` schema.
   */
  onPublish?: (
    message: TopicPublished<T>,
    ctx: TopicHookContext<C, Ctx, T>,
  ) => PublishHookResult<T> | Promise<PublishHookResult<T>>;
  /**
   * Sees each presence state a client sets (joining or updating), after validation, before
   * anyone else does: returns the state to keep (rewritten from the auth context, say) or
   * throws a SockkitError to refuse it.
   */
  onPresence?: (
    state: PresenceState<T>,
    ctx: TopicHookContext<C, Ctx, T>,
  ) => PresenceState<T> | Promise<PresenceState<T>>;
}

/** Hooks for every topic of the contract. */
export type TopicHooksMap<C, Ctx> = { [K in keyof Topics<C>]?: TopicHooks<C, Ctx, Topics<C>[K]> };

/** Options of {@link createSockkitServer}. */
export interface ServerOptions<C, Ctx> {
  /** The contract from `defineContract`. */
  contract: C;
  /**
   * Checks a connecting client: sees the upgrade request and the client's params, returns a
   * typed context or throws (UNAUTHORIZED closes with 4001). Without it every client is
   * accepted with `auth: undefined`.
   */
  authenticate?: (request: AuthRequest) => AuthResult<Ctx> | Promise<AuthResult<Ctx>>;
  /**
   * One handler per server procedure of the contract (a contract without any needs none; a
   * missing one is a TypeError at creation). Their types come from the contract and from what
   * `authenticate` returns, never from the handlers themselves; to write them apart, type them
   * as {@link ServerHandlers}.
   */
  handlers?: ServerHandlers<NoInfer<C>, NoInfer<Ctx>>;
  /**
   * One handler per stream of the contract (a missing one is a TypeError at creation): a server
   * stream's returns an async iterable of chunks (an async generator), pulled only as far as the
   * caller's credit allows; a client stream's reads the caller's validated chunks and answers
   * once. To write them apart, type them as {@link ServerStreamHandlers}.
   */
  streams?: ServerStreamHandlers<NoInfer<C>, NoInfer<Ctx>>;
  /** Topic hooks. */
  topics?: TopicHooksMap<NoInfer<C>, NoInfer<Ctx>>;
  /** Runs around every handler, first to last. */
  middleware?: Middleware<NoInfer<C>, NoInfer<Ctx>>[];
  /** Where topics live. Default: a new {@link MemoryBroker}. */
  broker?: Broker;
  /**
   * Carries server → client calls to connections on other nodes (`server.connection(id)`,
   * `server.user(key)`); e.g. `RedisRelay` from `@sockkit/redis`. The server starts it with
   * `ready` and closes it with `close()`. Without it those reach this node's connections only.
   */
  relay?: ServerRelay;
  /** Listen on this port (0 for an ephemeral one) ... */
  port?: number;
  /** ... on this host. Default all interfaces. */
  host?: string;
  /** ... or attach to an existing HTTP server. */
  server?: HttpServer;
  /** Only upgrades on this path are handled. Default: any path in listen mode, `/ws` when attached. */
  path?: string;
  /**
   * Origins allowed to open a WebSocket (against cross-site WebSocket hijacking). Default:
   * same-origin browsers (Origin matches Host). Clients that send no Origin (not browsers)
   * are never refused here: `authenticate` judges them. `'*'` allows any origin. List entries
   * are origins as browsers send them (`https://app.example:8443`: no path, no trailing
   * slash, lower case); anything else is a TypeError. A refused origin is closed with 4005
   * right after the upgrade, before anything is read.
   */
  allowedOrigins?: '*' | string[] | ((origin: string, request: IncomingMessage) => boolean);
  /** Per-connection limits; unspecified ones keep their defaults (see DEFAULT_LIMITS). */
  limits?: Partial<Limits>;
  /** WebSocket ping interval; a connection that missed the previous ping is terminated. Default 30 s; 0 disables. */
  heartbeatMs?: number;
  /** Validate handler outputs against the contract. Default: on unless NODE_ENV is 'production'. */
  validateOutput?: boolean;
  /** Payload codec; both sides must use the same. Default superjson. */
  codec?: Codec;
  /**
   * Where the server reports: errors, warnings, refused connections (info) and, with `debug`,
   * frames. Default: the console.
   */
  logger?: Logger;
  /**
   * Traces every message in and frame out through `logger.debug` (hello and auth params left
   * out). Default: on when the environment has SOCKKIT_DEBUG=1. For development: it logs
   * payloads.
   */
  debug?: boolean;
  /** Time source (tests use fake timers through it). */
  clock?: Clock;
  /**
   * This node's name, as observers, snapshots and metrics (label `node`) report it. Default
   * `<hostname>:<pid>`.
   */
  node?: string;
  /**
   * Observers registered from the start (metrics, tracing, an inspector); more can be added
   * with `server.observe()`. See {@link ServerObserver}.
   */
  observers?: readonly ServerObserver[];
  /** Called when a connection completed its handshake. */
  onConnection?: (conn: ServerConnection<NoInfer<C>, NoInfer<Ctx>>) => void;
  /** Called when an authenticated connection closed. */
  onDisconnect?: (
    conn: ServerConnection<NoInfer<C>, NoInfer<Ctx>>,
    info: { code: number; reason: string },
  ) => void;
}

/**
 * The handlers of contract `C`'s server procedures with auth context `Ctx`, for handlers
 * written apart from `createSockkitServer`.
 *
 * @example
 * ```ts
 * export const handlers: ServerHandlers<typeof contract, Auth> = {
 *   rename: async ({ id, title }, { auth, server }) => { ... },
 * };
 * ```
 */
export type ServerHandlers<C, Ctx = undefined> = Handlers<ServerProcedures<C>, CallContext<C, Ctx>>;

/**
 * The stream handlers of contract `C` with auth context `Ctx`, for handlers written apart from
 * `createSockkitServer`.
 *
 * @example
 * ```ts
 * export const streams: ServerStreamHandlers<typeof contract, Auth> = {
 *   tokens: async function* ({ prompt }, { signal }) { for (const word of prompt.split(' ')) yield word; },
 *   upload: async (chunks) => { let n = 0; for await (const c of chunks) n += c.length; return n; },
 * };
 * ```
 */
export type ServerStreamHandlers<C, Ctx = undefined> = StreamHandlers<Streams<C>, CallContext<C, Ctx>>;

/** The auth context an `authenticate` function returns, e.g. `AuthContextOf<typeof authenticate>`. */
export type AuthContextOf<F> = F extends (...args: never[]) => infer R
  ? Awaited<R> extends AuthResult<infer Ctx>
    ? Ctx
    : never
  : never;

/** Where a publish landed. */
export interface TopicPositionReply {
  /** The channel's epoch. */
  epoch: string;
  /** Absent for volatile messages. */
  offset?: number;
}

/** Options of one server-side publish. */
export interface PublishOptions {
  /** Skip history for this message (typing indicators, cursors). */
  volatile?: boolean;
}

/** A running sockkit server. */
export interface SockkitServer<C, Ctx> {
  /** Resolves once the server listens (immediately when attached to an HTTP server). */
  readonly ready: Promise<void>;
  /** The port listened on (listen mode), once ready. */
  readonly port: number | undefined;
  /** Publishes to a channel of a topic, typed from the contract. */
  readonly publish: {
    [K in keyof Topics<C>]: (
      params: TopicParamsInput<Topics<C>[K]>,
      message: TopicMessageInput<Topics<C>[K]>,
      options?: PublishOptions,
    ) => Promise<TopicPositionReply>;
  };
  /** Open connections on this node, by id. */
  readonly connections: ReadonlyMap<string, ServerConnection<C, Ctx>>;
  /** Open connections of a user on this node (by the `user` key `authenticate` returned). */
  connectionsOf(user: string): ServerConnection<C, Ctx>[];
  /**
   * Calls client procedures on connection `id` wherever it lives: directly on this node,
   * through `relay` on another. NOT_FOUND when no node holds it.
   */
  connection(id: string): {
    readonly call: Caller<ClientProcedures<C>, ServerCallOptions>;
    /**
     * Closes the connection, wherever it lives, with 4006 DISCONNECTED and `reason` (default
     * "disconnected by the server"; at most 123 bytes reach the client). The client stops and
     * reports the reason in its `error` event. Resolves with how many connections were
     * closed: 1, or 0 when no node holds it open.
     */
    disconnect(reason?: string): Promise<number>;
  };
  /**
   * Calls client procedures on every connection of a user, on every node (with `relay`):
   * one result per connection that answered.
   */
  user(user: string): {
    readonly call: {
      [K in keyof ClientProcedures<C>]: (
        ...args: CallArgs<ClientProcedures<C>[K], ServerCallOptions>
      ) => Promise<UserCallResult<CallOutput<ClientProcedures<C>[K]>>[]>;
    };
    /**
     * Closes every connection of the user, on every node (with `relay`), with 4006
     * DISCONNECTED and `reason`, as `connection(id).disconnect` does. Resolves with how many
     * were closed.
     */
    disconnect(reason?: string): Promise<number>;
  };
  /**
   * The last messages of a channel that history still holds (at most `limit`, default 50),
   * oldest first, decoded and typed, with their offsets and the channel's position.
   */
  readonly history: {
    [K in keyof Topics<C>]: (
      params: TopicParamsInput<Topics<C>[K]>,
      options?: { limit?: number },
    ) => Promise<TopicHistory<TopicMessage<Topics<C>[K]>>>;
  };
  /** The broker topics run on. */
  readonly broker: Broker;
  /** This node's name (the `node` option). */
  readonly node: string;
  /**
   * What this node holds now: open connections (user, age, subscriptions, buffered bytes, calls
   * in flight) and channels with their subscriber and presence counts. Built on each call.
   */
  inspect(): ServerSnapshot;
  /**
   * Registers an observer (metrics, tracing, an inspector) until the returned function is
   * called, or the server closed. With none registered the server reports nothing and pays
   * one check per event site.
   *
   * @example
   * ```ts
   * const stop = server.observe({ refused: ({ code, reason }) => console.log(code, reason) });
   * stop();
   * ```
   */
  observe(observer: ServerObserver): () => void;
  /**
   * Graceful shutdown: stops accepting connections and calls, lets calls in flight finish
   * until `timeout` ms, then closes every connection with 1012 (clients reconnect to
   * whatever serves the URL next).
   */
  close(options?: { timeout?: number }): Promise<void>;
}

/** Messages read back from a channel's history. */
export interface TopicHistory<M> {
  /** The channel's epoch and last offset when it was read. */
  readonly position: { readonly epoch: string; readonly offset: number };
  /** Oldest first. */
  readonly messages: { readonly offset: number; readonly message: M }[];
}

/**
 * What `onPublish` returns: the message as subscribers receive it (validated again when the
 * topic has a `publishInput`, so the schema's input type; else its output type).
 */
export type PublishHookResult<T> = T extends { publishInput: z.ZodType }
  ? TopicMessageInput<T>
  : TopicMessage<T>;
