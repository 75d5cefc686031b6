/**
 * MemoryBroker: the in-process default. History lives in this process only, so a restart
 * starts a new epoch and resuming clients are told `recovered: false`.
 */
import { type Clock, type EncodedPayload, systemClock, type TopicPosition } from '@sockkit/core';
import type {
  Broker,
  BrokerListener,
  BrokerMember,
  BrokerMessage,
  HistoryReply,
  PublishOptions,
} from './broker.js';

/** History bounds, per channel. */
export interface MemoryBrokerOptions {
  /** Messages kept per channel. Default 1,000. */
  historySize?: number;
  /** Age after which messages leave history, in ms. Default 10 minutes. */
  historyTtlMs?: number;
  /** Time source for message ages. */
  clock?: Clock;
}

interface Stored {
  message: BrokerMessage;
  at: number;
}

interface ChannelState {
  offset: number;
  /** Ring of the newest durable messages, oldest first. */
  history: Stored[];
  members: Map<string, BrokerMember>;
}

/** An in-process broker with bounded history. */
export class MemoryBroker implements Broker {
  /** Epoch of every channel of this broker instance: new per process. */
  readonly epoch: string;
  private readonly channels = new Map<string, ChannelState>();
  private readonly live = new Set<string>();
  private listener: BrokerListener = () => {};
  private readonly historySize: number;
  private readonly historyTtlMs: number;
  private readonly clock: Clock;

  constructor(options: MemoryBrokerOptions = {}) {
    this.historySize = options.historySize ?? 1000;
    this.historyTtlMs = options.historyTtlMs ?? 10 * 60_000;
    this.clock = options.clock ?? systemClock;
    this.epoch = randomEpoch();
  }

  listen(listener: BrokerListener): void {
    this.listener = listener;
  }

  async subscribe(channel: string): Promise<void> {
    this.live.add(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.live.delete(channel);
    const state = this.channels.get(channel);
    // Nothing left to keep once no one listens and history has aged out.
    if (state && state.members.size === 0) this.trim(state);
  }

  async publish(channel: string, payload: EncodedPayload, options: PublishOptions): Promise<BrokerMessage> {
    const state = this.state(channel);
    let message: BrokerMessage;
    if (options.volatile) {
      message = { kind: 'message', epoch: this.epoch, offset: undefined, payload };
    } else {
      message = { kind: 'message', epoch: this.epoch, offset: ++state.offset, payload };
      state.history.push({ message, at: this.clock.now() });
      if (state.history.length > this.historySize)
        state.history.splice(0, state.history.length - this.historySize);
    }
    if (this.live.has(channel)) this.listener(channel, message);
    return message;
  }

  async position(channel: string): Promise<TopicPosition> {
    return { epoch: this.epoch, offset: this.channels.get(channel)?.offset ?? 0 };
  }

  async history(channel: string, since: TopicPosition, limit?: number): Promise<HistoryReply> {
    const state = this.channels.get(channel);
    const position = { epoch: this.epoch, offset: state?.offset ?? 0 };
    if (since.epoch !== this.epoch || since.offset > position.offset) return { recovered: false, position };
    if (!state || since.offset === position.offset) return { recovered: true, position, messages: [] };
    this.trim(state);
    const first = state.history[0]?.message.offset;
    // Offsets are contiguous, so history covers `since` iff it holds since.offset + 1.
    if (first === undefined || first > since.offset + 1) return { recovered: false, position };
    const start = since.offset + 1 - first;
    const end = limit === undefined ? undefined : start + limit;
    return {
      recovered: true,
      position,
      messages: state.history.slice(start, end).map((stored) => stored.message),
    };
  }

  async presenceSet(channel: string, member: BrokerMember, type: 'join' | 'update'): Promise<void> {
    this.state(channel).members.set(member.conn, member);
    if (this.live.has(channel)) this.listener(channel, { kind: 'presence', type, member });
  }

  async presenceLeave(channel: string, conn: string): Promise<void> {
    const state = this.channels.get(channel);
    const member = state?.members.get(conn);
    if (!state || !member) return;
    state.members.delete(conn);
    if (this.live.has(channel)) this.listener(channel, { kind: 'presence', type: 'leave', member });
  }

  async presenceMembers(channel: string): Promise<BrokerMember[]> {
    return [...(this.channels.get(channel)?.members.values() ?? [])];
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.live.clear();
  }

  private state(channel: string): ChannelState {
    let state = this.channels.get(channel);
    if (!state) {
      state = { offset: 0, history: [], members: new Map() };
      this.channels.set(channel, state);
    }
    return state;
  }

  private trim(state: ChannelState): void {
    const cutoff = this.clock.now() - this.historyTtlMs;
    let drop = 0;
    while (drop < state.history.length && state.history[drop]!.at < cutoff) drop++;
    if (drop > 0) state.history.splice(0, drop);
  }
}

function randomEpoch(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
