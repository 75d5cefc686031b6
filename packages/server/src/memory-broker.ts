/**
 * MemoryBroker: the in-process default. History lives in this process only, so a restart
 * starts new epochs and resuming clients are told `recovered: false`.
 *
 * What it keeps is bounded: history per channel (count, age) and per node (count, bytes; the
 * node's oldest messages leave first, see memory-history.ts); and a channel is released as
 * soon as it has no subscription on this node, no presence member and no history left. A
 * sweep on the broker's clock ages history out (unref'd, every second), so idle channels are
 * released even when no traffic comes to trigger it; reads also age history first. A channel
 * made again after its release gets a new epoch, since its offsets start again at 1.
 */
import {
  type Clock,
  type EncodedPayload,
  systemClock,
  type TimerHandle,
  type TopicPosition,
  unrefTimer,
} from '@sockkit/core';
import type {
  Broker,
  BrokerListener,
  BrokerMember,
  BrokerMessage,
  HistoryReply,
  PublishOptions,
  RecentReply,
} from './broker.js';
import { ChannelLog, HistoryStore } from './memory-history.js';

/** History bounds, per channel and per node. */
export interface MemoryBrokerOptions {
  /** Messages kept per channel. Default 1,000. */
  historySize?: number;
  /** Age after which messages leave history, in ms. Default 10 minutes. */
  historyTtlMs?: number;
  /** Messages kept in history on this node, all channels together; the oldest leave first. Default 100,000. */
  totalHistorySize?: number;
  /**
   * UTF-8 bytes of encoded payloads kept in history on this node, all channels together; the
   * oldest messages leave first. Default 64 MiB.
   */
  totalHistoryBytes?: number;
  /** Time source for message ages and the sweep. */
  clock?: Clock;
}

/** What a {@link MemoryBroker} holds right now (for tests and metrics). */
export interface MemoryBrokerStats {
  /** Channels held: subscribed on this node, with presence members, or with history. */
  readonly channels: number;
  /** Durable messages kept in history, all channels together. */
  readonly messages: number;
  /** UTF-8 bytes of their encoded payloads. */
  readonly bytes: number;
}

interface ChannelState {
  readonly epoch: string;
  offset: number;
  readonly log: ChannelLog;
  readonly members: Map<string, BrokerMember>;
  /** Whether this node's listener gets its events. */
  live: boolean;
}

/** How often history is aged out, ms. */
const SWEEP_MS = 1000;

/** An in-process broker with bounded history. */
export class MemoryBroker implements Broker {
  private readonly channels = new Map<string, ChannelState>();
  private readonly store: HistoryStore;
  private readonly clock: Clock;
  private readonly sweep: TimerHandle;
  /** Random per instance; with a counter, names each channel's epoch. */
  private readonly instance = randomHex();
  private generation = 0;
  private listener: BrokerListener = () => {};

  constructor(options: MemoryBrokerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.store = new HistoryStore(
      {
        perChannel: positive(options.historySize ?? 1000, 'historySize'),
        ttlMs: positive(options.historyTtlMs ?? 10 * 60_000, 'historyTtlMs'),
        totalMessages: positive(options.totalHistorySize ?? 100_000, 'totalHistorySize'),
        totalBytes: positive(options.totalHistoryBytes ?? 64 * 1024 * 1024, 'totalHistoryBytes'),
      },
      (log) => this.release(log.channel),
    );
    this.sweep = this.clock.setInterval(() => this.store.expire(this.clock.now()), SWEEP_MS);
    unrefTimer(this.sweep);
  }

  /** What the broker holds right now. */
  stats(): MemoryBrokerStats {
    return { channels: this.channels.size, messages: this.store.messages, bytes: this.store.bytes };
  }

  listen(listener: BrokerListener): void {
    this.listener = listener;
  }

  async subscribe(channel: string): Promise<void> {
    this.state(channel).live = true;
  }

  async unsubscribe(channel: string): Promise<void> {
    const state = this.channels.get(channel);
    if (!state) return;
    state.live = false;
    this.release(channel);
  }

  async publish(channel: string, payload: EncodedPayload, options: PublishOptions): Promise<BrokerMessage> {
    const state = this.state(channel);
    let message: BrokerMessage;
    if (options.volatile) {
      message = { kind: 'message', epoch: state.epoch, offset: undefined, payload };
    } else {
      message = { kind: 'message', epoch: state.epoch, offset: ++state.offset, payload };
      this.store.append(state.log, message, this.clock.now());
    }
    if (state.live) this.listener(channel, message);
    this.release(channel);
    return message;
  }

  async position(channel: string): Promise<TopicPosition> {
    const state = this.state(channel);
    this.release(channel);
    return { epoch: state.epoch, offset: state.offset };
  }

  async history(channel: string, since: TopicPosition, limit?: number): Promise<HistoryReply> {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new RangeError('history limit must be a non-negative integer');
    }
    this.store.expire(this.clock.now());
    const state = this.state(channel);
    this.release(channel);
    const position = { epoch: state.epoch, offset: state.offset };
    if (since.epoch !== state.epoch || since.offset > state.offset) return { recovered: false, position };
    if (since.offset === state.offset) return { recovered: true, position, messages: [] };
    const messages = this.store.read(state.log, since.offset, limit ?? Number.POSITIVE_INFINITY);
    return messages ? { recovered: true, position, messages } : { recovered: false, position };
  }

  async recent(channel: string, limit: number): Promise<RecentReply> {
    if (!(Number.isSafeInteger(limit) && limit >= 0))
      throw new RangeError('recent limit must be a non-negative integer');
    this.store.expire(this.clock.now());
    const state = this.state(channel);
    this.release(channel);
    return {
      position: { epoch: state.epoch, offset: state.offset },
      messages: this.store.tail(state.log, limit),
    };
  }

  async presenceSet(channel: string, member: BrokerMember, type: 'join' | 'update'): Promise<void> {
    const state = this.state(channel);
    state.members.set(member.conn, member);
    if (state.live) this.listener(channel, { kind: 'presence', type, member });
  }

  async presenceLeave(channel: string, conn: string): Promise<void> {
    const state = this.channels.get(channel);
    const member = state?.members.get(conn);
    if (!state || !member) return;
    state.members.delete(conn);
    if (state.live) this.listener(channel, { kind: 'presence', type: 'leave', member });
    this.release(channel);
  }

  async presenceMembers(channel: string): Promise<BrokerMember[]> {
    return [...(this.channels.get(channel)?.members.values() ?? [])];
  }

  async close(): Promise<void> {
    this.clock.clearInterval(this.sweep);
    this.channels.clear();
    this.store.clear();
  }

  /** The channel's state, made (with a new epoch) when it has none. */
  private state(channel: string): ChannelState {
    let state = this.channels.get(channel);
    if (!state) {
      state = {
        epoch: `${this.instance}.${(++this.generation).toString(36)}`,
        offset: 0,
        log: new ChannelLog(channel),
        members: new Map(),
        live: false,
      };
      this.channels.set(channel, state);
    }
    return state;
  }

  /** Forgets a channel nothing holds any more: no subscription, no member, no history. */
  private release(channel: string): void {
    const state = this.channels.get(channel);
    if (state && !state.live && state.members.size === 0 && state.log.size === 0) {
      this.channels.delete(channel);
    }
  }
}

function randomHex(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
