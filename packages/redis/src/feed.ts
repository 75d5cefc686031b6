/**
 * Feed: the live delivery of one channel to this node, kept gap-free.
 *
 * Pub/sub is at-most-once: while the subscriber connection is down (or Redis drops it for
 * a full output buffer) events are lost. Durable messages carry contiguous offsets, so a
 * feed knows exactly what it missed and reads it back from the stream before delivering
 * anything newer; events arriving meanwhile are held (bounded). Presence has no history, so
 * after an outage the feed diffs a members snapshot against the members it last saw, and
 * orders the events that raced the snapshot by the channel's presence version.
 *
 * What cannot be recovered (history trimmed, or Redis lost the channel and a new epoch began)
 * is reported as a {@link GapReport}, never papered over.
 *
 * A history or position read is answered by the command connection, which may be ahead of
 * the live events still on their way (or still to be filled after an outage). {@link
 * Feed.reach} holds such a read until this feed has delivered everything up to the position
 * it returned, so a reader that replays up to that position and then takes live events sees
 * each offset once.
 */
import { SockkitError, type TopicPosition } from '@sockkit/core';
import type { BrokerEvent, BrokerMessage, HistoryReply } from '@sockkit/server';
import type { ChannelKeys } from './keys.js';
import { decodeEvent, decodeMember, memberConn, type PresenceChange, type WireEvent } from './wire.js';

/** Rounds of barrier and fill a read waits through before giving up (each is bounded by Redis timeouts). */
const REACH_ROUNDS = 4;

/** Why a feed had to read history back. */
export type GapCause = 'reconnect' | 'gap' | 'epoch' | 'overflow';

/** One hole in a channel's live delivery on this node and how it was handled. */
export interface GapReport {
  /** The channel key the hole was in. */
  readonly channel: string;
  /**
   * `reconnect`: Redis was unreachable; `gap`: a live message skipped offsets (pub/sub
   * dropped events); `epoch`: Redis lost the channel's history and a new epoch began;
   * `overflow`: events arrived faster than a fill could catch up and were dropped.
   */
  readonly cause: GapCause;
  /** The last position delivered before the hole. */
  readonly from: TopicPosition;
  /** The channel's position when the hole was examined. */
  readonly to: TopicPosition;
  /** Whether every missed durable message was delivered after all. */
  readonly recovered: boolean;
  /** Durable messages delivered from history to fill the hole. */
  readonly filled: number;
}

/** A members snapshot: the presence version it reflects and the encoded members. */
export interface Snapshot {
  readonly version: number;
  readonly members: string[];
}

/** What a feed needs from its broker. */
export interface FeedHost {
  /** Events held while filling, at most; beyond it they are dropped and read back later. */
  readonly maxHeld: number;
  deliver(channel: string, event: BrokerEvent): void;
  history(keys: ChannelKeys, since: TopicPosition): Promise<HistoryReply>;
  snapshot(keys: ChannelKeys): Promise<Snapshot>;
  /** Resolves once every event Redis sent before the call has reached {@link Feed.receive}. */
  barrier(): Promise<void>;
  report(gap: GapReport): void;
  warn(message: string, meta: Record<string, unknown>): void;
}

/** The live delivery of one channel. */
export class Feed {
  /** Epoch of the last durable message delivered (or of the position read at subscribe). */
  private epoch: string;
  /** Offset of the last durable message delivered in `epoch`; undefined while none was. */
  private delivered: number | undefined;
  /** Position read just before subscribing: where a fill starts when nothing was delivered. */
  private floor: number;
  /** Events held while history fills a hole; undefined when not filling. */
  private held: WireEvent[] | undefined;
  /** Set when held events were dropped or a fill was requested mid-fill: fill again after. */
  private again: GapCause | undefined;
  /** The fill in progress (set while `held` is). */
  private filling: Promise<void> | undefined;
  /** Presence events held while a snapshot is read; undefined when not resyncing. */
  private presenceHeld: PresenceChange[] | undefined;
  private presenceAgain = false;
  /** Presence as this node last saw it: conn to encoded member. */
  private members = new Map<string, string>();
  private closed = false;

  constructor(
    readonly channel: string,
    readonly keys: ChannelKeys,
    private readonly host: FeedHost,
    start: TopicPosition,
    snapshot: Snapshot,
  ) {
    this.epoch = start.epoch;
    this.floor = start.offset;
    for (const encoded of snapshot.members) this.members.set(memberConn(encoded), encoded);
  }

  /** Stops delivery; late events and fills are ignored. */
  close(): void {
    this.closed = true;
    this.held = undefined;
    this.presenceHeld = undefined;
  }

  /** Handles one pub/sub event text. */
  receive(text: string): void {
    if (this.closed) return;
    let event: WireEvent;
    try {
      event = decodeEvent(text);
    } catch (error) {
      this.host.warn('malformed event ignored', { channel: this.channel, error: String(error) });
      return;
    }
    this.accept(event);
  }

  /**
   * Resolves once every durable message up to `head` (a position read from Redis after this
   * feed subscribed) has been delivered, or was published before the subscription (a reader
   * of history covers those). Later events are then all newer than `head`. A new epoch in
   * `head` is not waited for: the feed reports it when its first message arrives. Fails with
   * UNAVAILABLE when Redis cannot be reached to line the two up.
   */
  async reach(head: TopicPosition): Promise<void> {
    for (let round = 0; round < REACH_ROUNDS; round++) {
      if (this.closed || head.epoch !== this.epoch) return;
      if (this.held) {
        await this.filling;
        continue;
      }
      if (this.position().offset >= head.offset) return;
      // The events published before `head` was read are queued ahead of the barrier's reply.
      await this.host.barrier();
      if (this.closed || this.held || head.epoch !== this.epoch) continue;
      if (this.position().offset >= head.offset) return;
      if (this.delivered === undefined) {
        // None arrived since the subscription (or since a fill gave up on trimmed history):
        // the messages up to `head` were published before it, and the reader has them.
        this.floor = head.offset;
        return;
      }
      // Pub/sub dropped them on the way: read them back now, not when the next one arrives.
      await this.fill('gap', []);
    }
    throw new SockkitError('UNAVAILABLE', `live delivery of ${this.channel} could not catch up`);
  }

  /** After an outage: reads back missed messages, then resyncs presence. */
  async recover(): Promise<void> {
    await Promise.all([this.fill('reconnect', []), this.resyncPresence()]);
  }

  private accept(event: WireEvent): void {
    if (event.kind === 'presence') {
      this.acceptPresence(event);
      return;
    }
    if (this.held) {
      this.hold(event);
      return;
    }
    if (event.offset === undefined) {
      this.host.deliver(this.channel, event);
      return;
    }
    if (event.epoch === this.epoch) {
      // Nothing delivered yet: whatever preceded this message was published before the
      // subscription was live, and the server reads that itself (history or position).
      if (this.delivered === undefined || event.offset === this.delivered + 1) this.deliver(event);
      else if (event.offset > this.delivered) void this.fill('gap', [event]);
      return;
    }
    if (event.offset === 1) {
      this.host.report({
        channel: this.channel,
        cause: 'epoch',
        from: this.position(),
        to: { epoch: event.epoch, offset: 1 },
        recovered: false,
        filled: 0,
      });
      this.epoch = event.epoch;
      this.deliver(event);
      return;
    }
    void this.fill('epoch', [event]);
  }

  private deliver(message: BrokerMessage): void {
    this.delivered = message.offset;
    this.host.deliver(this.channel, message);
  }

  private position(): TopicPosition {
    return { epoch: this.epoch, offset: this.delivered ?? this.floor };
  }

  private hold(event: WireEvent): void {
    const held = this.held!;
    if (held.length < this.host.maxHeld) {
      held.push(event);
      return;
    }
    // Durable messages come back from history; volatile ones are lost by definition.
    held.length = 0;
    this.again = 'overflow';
  }

  /**
   * Reads history from the last delivered position and delivers what is missing; during a
   * fill, asks for another one after it. Resolves when the fill in progress ends.
   */
  private fill(cause: GapCause, trigger: WireEvent[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.held) {
      this.again ??= cause;
      for (const event of trigger) this.hold(event);
      return this.filling ?? Promise.resolve();
    }
    this.held = trigger;
    this.filling = this.run(cause);
    return this.filling;
  }

  private async run(cause: GapCause): Promise<void> {
    const from = this.position();
    let filled = 0;
    try {
      let since = from;
      for (let attempt = 0; ; attempt++) {
        const reply = await this.host.history(this.keys, since);
        if (this.closed) return;
        if (reply.recovered) {
          for (const message of reply.messages) {
            if (message.offset !== undefined && message.offset > (this.delivered ?? since.offset)) {
              this.deliver(message);
              filled++;
            }
          }
          this.host.report({
            channel: this.channel,
            cause,
            from,
            to: reply.position,
            recovered: attempt === 0,
            filled,
          });
        } else if (reply.position.epoch !== since.epoch && attempt === 0) {
          // Redis lost the channel; a new epoch began. Deliver it from its start if it can.
          this.epoch = reply.position.epoch;
          this.delivered = undefined;
          this.floor = 0;
          since = { epoch: reply.position.epoch, offset: 0 };
          continue;
        } else {
          // Trimmed: the hole stays. Resume live delivery from whatever comes next.
          this.epoch = reply.position.epoch;
          this.delivered = undefined;
          this.floor = reply.position.offset;
          this.host.report({
            channel: this.channel,
            cause,
            from,
            to: reply.position,
            recovered: false,
            filled,
          });
        }
        break;
      }
    } catch (error) {
      // Redis went away again: drop what was held; the reconnect fills from `delivered`.
      this.held = undefined;
      this.again = undefined;
      this.host.warn('history fill failed', { channel: this.channel, error: String(error) });
      return;
    }
    const held = this.held ?? [];
    const again = this.again;
    this.held = undefined;
    this.again = undefined;
    for (const event of held) this.accept(event);
    if (again !== undefined && !this.held) {
      await this.fill(again, []);
      if (again === 'overflow') await this.resyncPresence();
    }
  }

  private acceptPresence(change: PresenceChange): void {
    if (this.presenceHeld) {
      if (this.presenceHeld.length < this.host.maxHeld) this.presenceHeld.push(change);
      else {
        this.presenceHeld.length = 0;
        this.presenceAgain = true;
      }
      return;
    }
    this.applyPresence(change);
  }

  private applyPresence(change: PresenceChange): void {
    if (change.type === 'leave') this.members.delete(change.member.conn);
    else this.members.set(change.member.conn, change.encoded);
    this.host.deliver(this.channel, { kind: 'presence', type: change.type, member: change.member });
  }

  /** Reads the members and turns the difference with what this node saw into events. */
  private async resyncPresence(): Promise<void> {
    if (this.closed) return;
    if (this.presenceHeld) {
      this.presenceAgain = true;
      return;
    }
    this.presenceHeld = [];
    let snapshot: Snapshot;
    try {
      snapshot = await this.host.snapshot(this.keys);
    } catch (error) {
      this.presenceHeld = undefined;
      this.presenceAgain = false;
      this.host.warn('presence resync failed', { channel: this.channel, error: String(error) });
      return;
    }
    if (this.closed) return;
    const held = this.presenceHeld;
    const again = this.presenceAgain;
    this.presenceHeld = undefined;
    this.presenceAgain = false;
    const next = new Map<string, string>();
    for (const encoded of snapshot.members) next.set(memberConn(encoded), encoded);
    for (const [conn, encoded] of this.members) {
      if (!next.has(conn)) this.emitPresence('leave', encoded);
    }
    for (const [conn, encoded] of next) {
      const before = this.members.get(conn);
      if (before !== encoded) this.emitPresence(before === undefined ? 'join' : 'update', encoded);
    }
    this.members = next;
    // Changes the snapshot already reflects are skipped; later ones apply on top of it.
    for (const change of held) if (change.version > snapshot.version) this.applyPresence(change);
    if (again) await this.resyncPresence();
  }

  private emitPresence(type: 'join' | 'update' | 'leave', encoded: string): void {
    this.host.deliver(this.channel, { kind: 'presence', type, member: decodeMember(encoded) });
  }
}
