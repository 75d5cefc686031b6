/**
 * The seam between history and live delivery for one subscribing connection: live events
 * are buffered while it reads history (within a bound), history is written as its socket
 * drains, and the buffer is flushed with offsets strictly above the last one sent. A client
 * resuming over megabytes of history is never closed as a slow consumer for what it asked
 * for; past the buffer's bound, durable events are read back from history in another round.
 */
import type { TopicPosition } from '@sockkit/core';
import { msgFrame, subscribedFrame } from '@sockkit/core/protocol';
import type { Broker, BrokerMessage } from './broker.js';
import type { Peer } from './peer.js';

/** History messages read from the broker at a time during a replay. */
export const REPLAY_PAGE = 500;
/** Rounds of re-reading history for live events dropped from an overflowing buffer. */
const MAX_CATCH_UP_ROUNDS = 8;

/** A live event, as it may wait in a buffer. */
export interface Buffered {
  readonly frame: string;
  readonly epoch: string;
  /** Undefined for volatile messages and presence events. */
  readonly offset: number | undefined;
  readonly volatile: boolean;
  readonly presence: boolean;
}

/** Live events for a connection whose subscribe is still reading history. */
export interface Pending {
  buffer: Buffered[];
  bytes: number;
  /** Durable events were dropped: read them back from history before going live. */
  overflowed: boolean;
}

/** The channel a connection catches up on. */
export interface CatchUpChannel {
  readonly key: string;
  readonly topic: string;
  readonly keyJson: string;
  readonly live: Set<Peer>;
  readonly pending: Map<Peer, Pending>;
}

/** What catching up reads from and is bounded by. */
export interface CatchUpDeps {
  readonly broker: Broker;
  /** Broker failures as UNAVAILABLE. */
  guard<T>(work: Promise<T>): Promise<T>;
  /** The bound of a pending buffer, and twice the size of a paced write. */
  readonly softBufferedBytes: number;
}

/**
 * Buffers a live event for a connection still reading history. Past the bound, durable and
 * volatile messages leave the buffer (durable ones are read back from history later; volatile
 * ones may be lost by definition); presence changes, which history does not hold, stay.
 */
export function bufferLive(pending: Pending, item: Buffered, bound: number): void {
  if (pending.overflowed && !item.presence) return;
  pending.buffer.push(item);
  pending.bytes += item.frame.length;
  if (pending.bytes > bound && !pending.overflowed) {
    pending.overflowed = true;
    pending.buffer = pending.buffer.filter((kept) => kept.presence);
    pending.bytes = pending.buffer.reduce((n, kept) => n + kept.frame.length, 0);
  }
}

/**
 * Sends history after `start` (its first page is `page`), then the live events buffered
 * meanwhile, and makes the connection live. False when the connection closed or unsubscribed
 * on the way (`current` turned false).
 */
export async function catchUp(
  deps: CatchUpDeps,
  peer: Peer,
  channel: CatchUpChannel,
  pending: Pending,
  start: TopicPosition,
  page: readonly BrokerMessage[],
  more: boolean,
  current: () => boolean,
): Promise<boolean> {
  let { epoch, offset: last } = start;
  let read = more; // whether history may hold more after `last`
  for (let round = 0; ; ) {
    const sent = await sendHistory(deps, peer, channel, epoch, page, last, current);
    if (sent === undefined) return false;
    last = sent;
    page = [];
    if (pending.overflowed) {
      // Durable events were dropped from the buffer: any history read from now on holds them.
      pending.overflowed = false;
      read = true;
      round++;
    }
    if (!read) break;
    const reply =
      round <= MAX_CATCH_UP_ROUNDS
        ? await deps.guard(deps.broker.history(channel.key, { epoch, offset: last }, REPLAY_PAGE))
        : undefined;
    if (!current()) return false;
    if (reply?.recovered) {
      page = reply.messages;
      read = page.length >= REPLAY_PAGE;
      continue;
    }
    // History moved past this client, or it cannot keep up: it resyncs from the current position.
    const position = reply?.position ?? (await deps.guard(deps.broker.position(channel.key)));
    if (!current()) return false;
    peer.send(resyncFrame(channel, position));
    ({ epoch, offset: last } = position);
    read = false;
  }
  for (const item of pending.buffer) {
    if (item.offset !== undefined) {
      if (item.epoch !== epoch) {
        // The channel's history was lost while this connection caught up (as live ones are told).
        peer.send(resyncFrame(channel, { epoch: item.epoch, offset: item.offset - 1 }));
        epoch = item.epoch;
        last = item.offset - 1;
      }
      if (item.offset <= last) continue;
      last = item.offset;
    }
    peer.send(item.frame, item.volatile);
  }
  channel.pending.delete(peer);
  channel.live.add(peer);
  return true;
}

/**
 * Writes history messages above `last`, a socket's worth at a time: each group is written
 * once the previous one drained. Returns the last offset sent, or undefined when abandoned.
 */
async function sendHistory(
  deps: CatchUpDeps,
  peer: Peer,
  channel: CatchUpChannel,
  epoch: string,
  messages: readonly BrokerMessage[],
  last: number,
  current: () => boolean,
): Promise<number | undefined> {
  const groupChars = Math.max(64 * 1024, deps.softBufferedBytes / 2);
  const epochJson = JSON.stringify(epoch);
  let group: string[] = [];
  let chars = 0;
  for (const message of messages) {
    if (message.offset === undefined || message.offset <= last) continue;
    const frame = msgFrame(channel.keyJson, epochJson, message.offset, message.payload);
    group.push(frame);
    chars += frame.length;
    last = message.offset;
    if (chars >= groupChars) {
      await peer.sendPaced(group);
      if (!current()) return undefined;
      group = [];
      chars = 0;
    }
  }
  if (group.length > 0) await peer.sendPaced(group);
  return current() ? last : undefined;
}

/** A fresh `subscribed` telling a subscriber of `channel` that its history was lost up to `to`. */
export function resyncFrame(channel: Pick<CatchUpChannel, 'key' | 'topic'>, to: TopicPosition): string {
  return subscribedFrame({
    id: undefined,
    topic: channel.topic,
    params: channelParams(channel.key),
    channel: channel.key,
    position: to,
    recovered: false,
    members: undefined,
  });
}

/** The params encoded in a channel key (`topic:{json}`), as the client needs them to resubscribe. */
export function channelParams(key: string): unknown {
  const colon = key.indexOf(':');
  return colon === -1 ? undefined : JSON.parse(key.slice(colon + 1));
}
