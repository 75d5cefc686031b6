/**
 * The part of a sockkit client the composables use, written as a structural type over the
 * contract. `createSockkitClient` from `@sockkit/client` satisfies it; tests can pass a small
 * fake that does too.
 */
import type {
  CallArgs,
  Caller,
  ContractDef,
  PresenceEvent,
  PresenceMember,
  PresenceState,
  PresenceStateInput,
  ServerProcedures,
  TopicMessage,
  TopicParamsInput,
  Topics,
} from '@sockkit/core';

/** The connection states a client moves through. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Per-call options the composables pass through. */
export interface CallOptionsLike {
  /** Milliseconds before the call fails with TIMEOUT (the client's default otherwise). */
  timeout?: number;
  /** Aborting rejects the call with CANCELLED; `useCall` aborts superseded and disposed calls. */
  signal?: AbortSignal;
}

/** Where a delivered message sits in its channel's history. */
export interface MessageInfoLike {
  /** The message's offset in the channel's history; absent for volatile messages. */
  offset?: number | undefined;
  /** The channel's epoch; a new one means the channel's history was lost. */
  epoch?: string | undefined;
}

/** One live subscription, as the client returns it. */
export interface SubscriptionLike<Message, State, StateInput = State> {
  /** Settles when the server confirmed the subscription (rejects when it refused). */
  readonly ready: Promise<unknown>;
  /** Whether the last (re)join resumed history without a gap; unknown before the first join. */
  readonly recovered?: boolean | undefined;
  /** Present members, keyed by connection id. */
  readonly presence: ReadonlyMap<string, PresenceMember<State>>;
  /** Calls `listener` with the members (and the change) whenever presence changes; returns its remover. */
  on(
    event: 'presence',
    listener: (members: ReadonlyMap<string, PresenceMember<State>>, change?: PresenceEvent<State>) => void,
  ): () => void;
  /** Calls `listener` after every (re)join with whether history resumed gap-free; returns its remover. */
  on(event: 'recovered', listener: (recovered: boolean) => void): () => void;
  /** Replaces this connection's presence state on the channel, without re-subscribing. */
  setPresence(state: StateInput): Promise<unknown>;
  /** Leaves the channel and stops delivering messages. */
  unsubscribe(): void;
  /** Phantom: the message type, never read at run time. */
  readonly '~message'?: Message;
}

/** Options a subscription accepts. */
export interface SubscribeOptionsLike<StateInput> {
  /** Presence state to join the channel with (topics with presence). */
  presence?: StateInput;
}

/** A typed subscriber for each topic of `C`. */
export type Subscribers<C> = {
  [K in keyof Topics<C>]: (
    params: TopicParamsInput<Topics<C>[K]>,
    onMessage: (message: TopicMessage<Topics<C>[K]>, info: MessageInfoLike) => void,
    options?: SubscribeOptionsLike<PresenceStateInput<Topics<C>[K]>>,
  ) => SubscriptionLike<
    TopicMessage<Topics<C>[K]>,
    PresenceState<Topics<C>[K]>,
    PresenceStateInput<Topics<C>[K]>
  >;
};

/** The client surface the composables need. */
export interface SockkitClientLike<C extends ContractDef = ContractDef> {
  /** The current connection state. */
  readonly state: ConnectionState;
  /** Calls `listener` on every connection state change; returns its remover. */
  on(event: 'state', listener: (state: ConnectionState) => void): () => void;
  /** One function per server procedure of `C`: `call[name](input, options?)`. */
  readonly call: Caller<ServerProcedures<C>, CallOptionsLike>;
  /** One subscriber per topic of `C`: `subscribe[name](params, onMessage, options?)`. */
  readonly subscribe: Subscribers<C>;
}

/** Names of the server procedures of `C`. */
export type ProcedureName<C> = keyof ServerProcedures<C> & string;
/** Names of the topics of `C`. */
export type TopicName<C> = keyof Topics<C> & string;
/** Arguments of `client.call[K]`. */
export type ProcedureArgs<C, K extends ProcedureName<C>> = CallArgs<ServerProcedures<C>[K], CallOptionsLike>;
