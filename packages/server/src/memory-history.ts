/**
 * The history a {@link MemoryBroker} keeps: per channel, its newest durable messages, and
 * across the node, one queue of every kept message in publish order, so that the node-wide
 * bounds (count and bytes) and the age bound drop the oldest messages of the node first.
 *
 * Invariants:
 * - A channel's log holds contiguous offsets, oldest first; messages only ever leave it from
 *   the front (by its own size bound, by age, or by the node-wide bounds).
 * - The node queue holds the same messages in publish order, plus messages already gone
 *   from their log (marked `gone`), skipped when they reach its head and compacted away
 *   once they outnumber the kept ones, so it stays within twice the kept count.
 * - `messages` and `bytes` count the kept messages exactly.
 */
import type { BrokerMessage } from './broker.js';

/** One kept message. */
interface Entry {
  readonly message: BrokerMessage;
  /** When it was published (the broker's clock). */
  readonly at: number;
  /** UTF-8 bytes of its encoded payload (json and meta). */
  readonly bytes: number;
  readonly log: ChannelLog;
  gone: boolean;
}

/** The kept history of one channel. */
export class ChannelLog {
  /** @internal Oldest first. */
  readonly entries: Entry[] = [];
  constructor(
    /** The channel this log belongs to. */
    readonly channel: string,
  ) {}

  /** Number of messages kept. */
  get size(): number {
    return this.entries.length;
  }

  /** Offset of the oldest message kept. */
  get first(): number | undefined {
    return this.entries[0]?.message.offset;
  }
}

/** Bounds of a {@link HistoryStore}. */
export interface HistoryBounds {
  /** Messages per channel. */
  readonly perChannel: number;
  /** Age after which a message leaves, ms. */
  readonly ttlMs: number;
  /** Messages on the whole node. */
  readonly totalMessages: number;
  /** UTF-8 bytes of encoded payloads on the whole node. */
  readonly totalBytes: number;
}

/** Every channel's history on one node, under per-channel and node-wide bounds. */
export class HistoryStore {
  private queue: Entry[] = [];
  private head = 0;
  private goneInQueue = 0;
  private kept = 0;
  private keptBytes = 0;

  /**
   * @param onEmpty - Called when a log loses its last message (the broker may then release
   *   the channel).
   */
  constructor(
    private readonly bounds: HistoryBounds,
    private readonly onEmpty: (log: ChannelLog) => void,
  ) {}

  /** Messages kept on the node. */
  get messages(): number {
    return this.kept;
  }

  /** UTF-8 bytes of the payloads kept on the node. */
  get bytes(): number {
    return this.keptBytes;
  }

  /** @internal Length of the node queue, gone entries included (tests check it stays bounded). */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Keeps a durable message, then enforces every bound (which may drop it at once). */
  append(log: ChannelLog, message: BrokerMessage, at: number): void {
    const entry: Entry = { message, at, bytes: payloadBytes(message), log, gone: false };
    log.entries.push(entry);
    this.queue.push(entry);
    this.kept++;
    this.keptBytes += entry.bytes;
    if (log.entries.length > this.bounds.perChannel) this.dropFront(log);
    while (this.kept > this.bounds.totalMessages || this.keptBytes > this.bounds.totalBytes) {
      this.dropOldest();
    }
    this.compact();
  }

  /** Drops every message older than the age bound at `now`. */
  expire(now: number): void {
    const cutoff = now - this.bounds.ttlMs;
    for (;;) {
      const entry = this.peek();
      if (!entry || entry.at >= cutoff) break;
      this.dropOldest();
    }
    this.compact();
  }

  /**
   * Messages of `log` after `since`, at most `limit`; undefined when the log no longer
   * holds `since + 1` (offsets are contiguous, so that is the whole test).
   */
  read(log: ChannelLog, since: number, limit: number): BrokerMessage[] | undefined {
    const first = log.first;
    if (first === undefined || first > since + 1) return undefined;
    const start = since + 1 - first;
    return log.entries.slice(start, start + limit).map((entry) => entry.message);
  }

  /** The last `limit` messages of `log`, oldest first. */
  tail(log: ChannelLog, limit: number): BrokerMessage[] {
    const start = Math.max(0, log.entries.length - limit);
    return log.entries.slice(start).map((entry) => entry.message);
  }

  /** Forgets everything. */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.goneInQueue = 0;
    this.kept = 0;
    this.keptBytes = 0;
  }

  /** The oldest kept message of the node, skipping (and popping) those already gone. */
  private peek(): Entry | undefined {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      if (!entry.gone) return entry;
      this.head++;
      this.goneInQueue--;
    }
    return undefined;
  }

  private dropOldest(): void {
    const entry = this.peek();
    if (!entry) return;
    this.head++;
    // The node's oldest message is its channel's oldest too: both are in publish order.
    this.remove(entry.log);
  }

  /** Drops a log's oldest message; it stays in the queue, marked, until it reaches the head. */
  private dropFront(log: ChannelLog): void {
    if (this.remove(log)) this.goneInQueue++;
  }

  private remove(log: ChannelLog): Entry | undefined {
    const entry = log.entries.shift();
    if (!entry) return undefined;
    entry.gone = true;
    this.kept--;
    this.keptBytes -= entry.bytes;
    if (log.entries.length === 0) this.onEmpty(log);
    return entry;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.goneInQueue > 1024 && this.goneInQueue > this.kept) {
      this.queue = this.queue.slice(this.head).filter((entry) => !entry.gone);
      this.head = 0;
      this.goneInQueue = 0;
    }
  }
}

function payloadBytes(message: BrokerMessage): number {
  const { json, meta } = message.payload;
  return (
    (json === undefined ? 0 : Buffer.byteLength(json)) + (meta === undefined ? 0 : Buffer.byteLength(meta))
  );
}
