/**
 * The broker: where topic messages, their history and presence live. The server talks to it
 * per channel and never assumes it is in-process, so the same server code runs on one node
 * with {@link MemoryBroker} or on many nodes sharing Redis.
 *
 * Constraints an implementation must keep (the Redis broker is designed to them):
 * - Offsets are assigned by the broker, per channel, strictly increasing by 1 from 1 for
 *   durable messages, and are the same on every node. Volatile messages get no offset.
 * - Events reach each node's listener in offset order; a volatile message is delivered in
 *   publish order relative to the durable ones around it where the engine allows.
 * - On a channel this node is subscribed to, `position()` and `history()` resolve only once
 *   every durable message up to the position they return has reached the listener (or was
 *   published before the subscription), so the events that follow are all newer: a replay
 *   up to that position followed by live events has no offset twice.
 * - The epoch names one continuous history of a channel. It changes only when that history is
 *   lost (an in-process broker restarts or dropped the idle channel; Redis lost the stream or
 *   expired the idle channel); offsets restart with it. Epochs are at most 64 characters.
 * - What a node keeps is bounded: a channel with no subscriber, no presence member and no
 *   history left is released, and history is bounded per channel and (in-process) per node.
 * - Payloads are already encoded ({@link EncodedPayload}): the broker moves text and never
 *   re-serialises a message, so each message is encoded once however many nodes see it.
 * - Presence members are keyed by connection id and owned by the node holding the
 *   connection; a node that dies must not leave members behind for longer than the broker's
 *   stated bound (the memory broker dies with its node; Redis uses expiring leases).
 */
import type { EncodedPayload, TopicPosition } from '@sockkit/core';

/** A durable or volatile message as the broker delivers it. */
export interface BrokerMessage {
  /** Discriminant. */
  readonly kind: 'message';
  /** The channel's epoch when the message was published. */
  readonly epoch: string;
  /** Absent for volatile messages. */
  readonly offset: number | undefined;
  /** The message, encoded once. */
  readonly payload: EncodedPayload;
}

/** A presence member as the broker stores it; state stays encoded. */
export interface BrokerMember {
  /** Connection id (unique across nodes). */
  readonly conn: string;
  /** User key from `authenticate`. */
  readonly user: string | undefined;
  /** Presence state, encoded once. */
  readonly state: EncodedPayload;
}

/** A presence change on a channel. */
export interface BrokerPresence {
  /** Discriminant. */
  readonly kind: 'presence';
  /** What happened to the member. */
  readonly type: 'join' | 'update' | 'leave';
  /** The member after the change (for `leave`, as it was). */
  readonly member: BrokerMember;
}

/**
 * Messages of a channel that were lost and could not be read back (e.g. Redis dropped them
 * while this node was cut off). Subscribers on this node are told `recovered: false`.
 */
export interface BrokerGap {
  /** Discriminant. */
  readonly kind: 'gap';
  /** The last position delivered before the hole. */
  readonly from: TopicPosition;
  /** Where delivery continues. */
  readonly to: TopicPosition;
}

/** What a channel listener receives. */
export type BrokerEvent = BrokerMessage | BrokerPresence | BrokerGap;

/** A broker's link to its engine, for brokers that have one. */
export type BrokerStatus = 'connecting' | 'up' | 'down' | 'closed';

/** Receives the events of one channel on this node. */
export type BrokerListener = (channel: string, event: BrokerEvent) => void;

/** History read for a resume. */
export type HistoryReply =
  | { recovered: true; position: TopicPosition; messages: BrokerMessage[] }
  | { recovered: false; position: TopicPosition };

/** The newest messages of a channel, for a subscriber that asks for the last N. */
export interface RecentReply {
  /** The channel's position (its last offset). */
  readonly position: TopicPosition;
  /** Oldest first, ending at `position.offset` (empty when history holds none). */
  readonly messages: BrokerMessage[];
}

/** Options of one publish. */
export interface PublishOptions {
  /** Skip history; no offset is assigned. */
  volatile: boolean;
}

/** The storage and fan-out engine behind topics. */
export interface Broker {
  /**
   * Starts delivering the events of `channel` to this node's listener. Called once per
   * channel while this node has local subscribers; resolves when delivery is live, so that a
   * history read started afterwards overlaps, rather than misses, live events.
   */
  subscribe(channel: string): Promise<void>;
  /** Stops delivering `channel` to this node. */
  unsubscribe(channel: string): Promise<void>;
  /** Sets the one listener this node's events go to. */
  listen(listener: BrokerListener): void;
  /** Appends (unless volatile) and fans out to every node; resolves with the message's position. */
  publish(channel: string, payload: EncodedPayload, options: PublishOptions): Promise<BrokerMessage>;
  /** The channel's epoch and last offset (0 when it has no message yet). */
  position(channel: string): Promise<TopicPosition>;
  /**
   * Durable messages after `since.offset`, oldest first, when `since.epoch` is the current
   * epoch and history still reaches back that far; `recovered: false` otherwise. `position`
   * is the channel's head either way.
   *
   * @param limit - At most this many messages (a non-negative integer; default: all that
   *   history holds). Whether history reaches back does not depend on it, so a reader pages
   *   by asking again from the last offset it got until it reaches `position`.
   */
  history(channel: string, since: TopicPosition, limit?: number): Promise<HistoryReply>;
  /**
   * The last `limit` durable messages history still holds (fewer when it holds fewer), oldest
   * first, with the channel's position. The same delivery rule as `history` applies: on a
   * channel this node is subscribed to, it resolves once live delivery reached that position.
   */
  recent(channel: string, limit: number): Promise<RecentReply>;
  /** Adds or replaces a presence member and tells every node. */
  presenceSet(channel: string, member: BrokerMember, type: 'join' | 'update'): Promise<void>;
  /** Removes a presence member and tells every node. */
  presenceLeave(channel: string, conn: string): Promise<void>;
  /** Current members of a channel. */
  presenceMembers(channel: string): Promise<BrokerMember[]>;
  /** Releases resources; further calls fail. */
  close(): Promise<void>;
  /**
   * Optional: tells the server when the broker's engine becomes unreachable and reachable
   * again (the server logs it); returns the remover.
   */
  onStatus?(listener: (status: BrokerStatus, detail: { error?: Error | undefined }) => void): () => void;
}
