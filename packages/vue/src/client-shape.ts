/**
 * A sockkit client, written as a structural type over the contract: everything
 * `SockkitClient<C>` from `@sockkit/client` has, so `useClient()` gives all of it, while this
 * package imports nothing of the client (neither its runtime nor its classes, whose private
 * members would make two installed copies of the client incompatible types).
 * `createSockkitClient` satisfies it; `test/client-shape.test.ts` checks that it does and that
 * nothing the client has is left out.
 */
import type {
  CallArgs,
  Caller,
  CallInput,
  ClientPublishableTopics,
  ContractDef,
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
import type { MessageInfoLike, SubscriptionLike } from './subscription-shape.js';

/** The connection states a client moves through. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Options of one call. */
export interface CallOptionsLike {
  /** Milliseconds before the call fails with TIMEOUT (the client's default otherwise). */
  timeout?: number;
  /** Aborting rejects with CANCELLED; `useCall` aborts superseded and disposed calls. */
  signal?: AbortSignal;
}

/** Options of one publish. */
export interface PublishOptionsLike extends CallOptionsLike {
  /** Skip history for this message. */
  volatile?: boolean;
}

/** Where a publish landed. */
export interface PublishResultLike {
  /** The channel's epoch. */
  epoch: string;
  /** The message's offset in the channel's history; absent for volatile messages. */
  offset?: number;
}

/** Options a subscription accepts. */
export interface SubscribeOptionsLike<StateInput> {
  /** Presence state to join the channel with (topics with presence). */
  presence?: StateInput;
  /** Aborting unsubscribes; iterators end cleanly. */
  signal?: AbortSignal;
  /** Most messages an async iterator holds for a loop that has not taken them yet. */
  maxBuffered?: number;
  /** The last N messages of history, before live ones (and again after a failed resume). */
  history?: number;
}

/** Options of a stream the client reads (a server stream). */
export interface StreamOptionsLike {
  /** Aborting ends the stream and cancels the server's handler. */
  signal?: AbortSignal;
  /** Chunks the client holds at most for a loop that has not taken them (default 256). */
  window?: number;
}

/** Options of a stream the client writes (a client stream). */
export interface SendStreamOptionsLike<T> {
  /** The chunks, pulled only as fast as the server reads them. */
  source: AsyncIterable<T> | Iterable<T>;
  /** Aborting ends the stream with CANCELLED and cancels the server's handler. */
  signal?: AbortSignal;
}

/** A server stream as its caller reads it (`for await`); `break` or `cancel()` ends it. */
export interface ServerStreamLike<T, R> extends AsyncIterableIterator<T> {
  /** The final value once the stream ended; rejects with its error. */
  readonly result: Promise<R>;
  /** Ends the stream and cancels the server's handler. */
  cancel(): void;
}

/** One function per stream of `C`: read a server stream, or write a client stream from a source. */
export type StreamFns<C> = {
  [K in keyof Streams<C>]: Streams<C>[K] extends { direction: 'client' }
    ? (
        input: CallInput<Streams<C>[K]>,
        options: SendStreamOptionsLike<StreamChunkInput<Streams<C>[K]>>,
      ) => Promise<StreamOutput<Streams<C>[K]>>
    : (
        ...args: CallArgs<Streams<C>[K], StreamOptionsLike>
      ) => ServerStreamLike<StreamChunk<Streams<C>[K]>, StreamOutput<Streams<C>[K]>>;
};

/** Names of the server streams of `C` (those the client reads). */
export type ServerStreamName<C> = {
  [K in keyof Streams<C>]: Streams<C>[K] extends { direction: 'server' } ? K : never;
}[keyof Streams<C>] &
  string;

/** Names of the server procedures of `C`. */
export type ProcedureName<C> = keyof ServerProcedures<C> & string;
/** Names of the topics of `C`. */
export type TopicName<C> = keyof Topics<C> & string;
/** Names of the topics of `C` that clients may publish to (`publish: 'client'`). */
export type PublishableTopicName<C> = ClientPublishableTopics<C> & keyof Topics<C> & string;
/** Arguments of `client.call[K]`. */
export type ProcedureArgs<C, K extends ProcedureName<C>> = CallArgs<ServerProcedures<C>[K], CallOptionsLike>;

/** A typed subscriber for each topic of `C`. */
export type Subscribers<C> = {
  [K in keyof Topics<C>]: (
    params: TopicParamsInput<Topics<C>[K]>,
    onMessage?: (message: TopicMessage<Topics<C>[K]>, info: MessageInfoLike) => void,
    options?: SubscribeOptionsLike<PresenceStateInput<Topics<C>[K]>>,
  ) => SubscriptionLike<
    TopicMessage<Topics<C>[K]>,
    PresenceState<Topics<C>[K]>,
    PresenceStateInput<Topics<C>[K]>
  >;
};

/** A typed publisher for each topic of `C` that clients may publish to. */
export type Publishers<C> = {
  [K in PublishableTopicName<C>]: (
    params: TopicParamsInput<Topics<C>[K]>,
    message: TopicPublishInput<Topics<C>[K]>,
    options?: PublishOptionsLike,
  ) => Promise<PublishResultLike>;
};

/** Client events and their listeners' arguments. */
export type ClientEventsLike = {
  /** The connection state changed. */
  state: [state: ConnectionState];
  /** Errors nothing else reports: refused connections, protocol errors from the server. */
  error: [error: SockkitError];
  /** The server subscribed this connection to a channel. */
  subscription: [subscription: SubscriptionLike<unknown, unknown>];
};

/** A sockkit client typed from contract `C`: what `createSockkitClient({ contract })` returns. */
export interface SockkitClientLike<C extends ContractDef = ContractDef> {
  /** The current connection state. */
  readonly state: ConnectionState;
  /** Session id from the server's welcome, once connected. */
  readonly session: string | undefined;
  /** Connection id (also the presence member id), once connected. */
  readonly connectionId: string | undefined;
  /** One function per server procedure of `C`: `call[name](input, options?)`. */
  readonly call: Caller<ServerProcedures<C>, CallOptionsLike>;
  /**
   * One function per stream of `C`: `stream[name](input, options?)`; only on a client created
   * with the `streams` option.
   */
  readonly stream?: StreamFns<C>;
  /** One subscriber per topic of `C`: `subscribe[name](params, onMessage?, options?)`. */
  readonly subscribe: Subscribers<C>;
  /** One publisher per topic of `C` clients may publish to: `publish[name](params, message, options?)`. */
  readonly publish: Publishers<C>;
  /** The live subscriptions. */
  subscriptions(): SubscriptionLike<unknown, unknown>[];
  /** Listens to a client event; returns the remover. */
  on<K extends keyof ClientEventsLike>(
    event: K,
    listener: (...args: ClientEventsLike[K]) => void,
  ): () => void;
  /** Resolves when the connection is open; rejects if the client closes first. */
  ready(): Promise<void>;
  /** Re-reads the connection params and re-authenticates in-band, without reconnecting. */
  updateAuth(): Promise<void>;
  /** Closes for good: no reconnect; pending calls fail with UNAVAILABLE. */
  close(): Promise<void>;
}
