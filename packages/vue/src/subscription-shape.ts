/**
 * A client's subscription, written as a structural type: the public surface of
 * `Subscription` from `@sockkit/client`, without its class (a class with private members
 * would make two installed copies of the client incompatible types). `test/client-shape.test.ts`
 * checks that the real one fits and that nothing it has is left out.
 */
import type { PresenceMember, SockkitError, TopicPosition } from '@sockkit/core';

/** Where a delivered message sits in its channel. */
export interface MessageInfoLike {
  /** The channel key, e.g. `doc:{"id":"a"}`. */
  channel: string;
  /** The channel's epoch (a new one means the channel's history was lost). */
  epoch: string;
  /** The message's offset in the channel's history; absent for volatile messages. */
  offset: number | undefined;
}

/** A message yielded by a subscription's async iterator. */
export interface SubscriptionItemLike<Message> extends MessageInfoLike {
  /** The decoded message. */
  message: Message;
}

/** What changed in a channel's presence (`sync`: the whole list was replaced). */
export interface PresenceChangeLike<State> {
  /** What happened. */
  type: 'join' | 'update' | 'leave' | 'sync';
  /** The member concerned; absent for `sync`. */
  member?: PresenceMember<State>;
}

/** Events of a subscription and their listeners' arguments. */
export type SubscriptionEventsLike<Message, State> = {
  /** A message arrived. */
  message: [message: Message, info: MessageInfoLike];
  /** After each (re)join: whether every missed message was replayed without a gap. */
  recovered: [recovered: boolean];
  /** Presence changed. */
  presence: [members: ReadonlyMap<string, PresenceMember<State>>, change: PresenceChangeLike<State>];
  /** The server refused or ended the subscription. */
  error: [error: SockkitError];
  /** The subscription ended. */
  end: [];
};

/** One live subscription to a channel, as the client returns it. */
export interface SubscriptionLike<Message, State, StateInput = State>
  extends AsyncIterable<SubscriptionItemLike<Message>> {
  /** The topic name. */
  readonly topic: string;
  /** The params as given. */
  readonly params: unknown;
  /** The channel key, known once the server confirmed. */
  readonly channel: string | undefined;
  /** The last position seen: where a resubscribe after a reconnect resumes from. */
  readonly position: TopicPosition | undefined;
  /** Whether the last (re)join resumed history without a gap. */
  readonly recovered: boolean;
  /** Present members, keyed by connection id. */
  readonly presence: ReadonlyMap<string, PresenceMember<State>>;
  /** Settles when the server confirmed the subscription (rejects when it refused). */
  readonly ready: Promise<void>;
  /** The presence state this connection (re)joins with. */
  readonly presenceState: unknown;
  /** Whether the subscription ended (unsubscribed, refused or closed). */
  readonly ended: boolean;
  /** Listens to one of the subscription's events; returns the remover. */
  on<K extends keyof SubscriptionEventsLike<Message, State>>(
    event: K,
    listener: (...args: SubscriptionEventsLike<Message, State>[K]) => void,
  ): () => void;
  /** Replaces this connection's presence state on the channel, without re-subscribing. */
  setPresence(state: StateInput): Promise<void>;
  /** Leaves the channel and stops delivering messages. */
  unsubscribe(): void;
}
