/**
 * RedisBroker: the sockkit broker for several server nodes sharing one Redis.
 *
 * - A publish is one Lua script: it takes the channel's next offset, appends the message to
 *   the channel's stream under id `<offset>-0` (trimmed by length and age) and publishes it
 *   on the channel's pub/sub channel, so offset order is publish order on every node.
 * - The epoch lives in Redis next to the offset counter and is replaced only when that key
 *   is gone (Redis lost it, or the channel was idle for `channelTtlMs`).
 * - Presence members carry leases renewed by their node (see leases.ts for the ghost bound).
 * - Live delivery per channel is kept gap-free across Redis outages (see feed.ts); holes
 *   that cannot be filled are reported through `on('gap')`, and health through
 *   `on('status')`. While Redis is unreachable every operation fails with UNAVAILABLE.
 */
import {
  type Clock,
  type EncodedPayload,
  SockkitError,
  systemClock,
  type TimerHandle,
  type TopicPosition,
  unrefTimer,
} from '@sockkit/core';
import { Emitter } from '@sockkit/core/protocol';
import {
  type Broker,
  type BrokerEvent,
  type BrokerListener,
  type BrokerMember,
  type BrokerMessage,
  type BrokerPublishOptions,
  consoleLogger,
  type HistoryReply,
  type Logger,
  type RecentReply,
} from '@sockkit/server';
import { Feed, type FeedHost, type GapReport, type Snapshot } from './feed.js';
import { type ChannelKeys, channelKeys } from './keys.js';
import { Leases } from './leases.js';
import { type LinkStatus, RedisLink, type RedisLinkOptions, randomId, type StatusDetail } from './link.js';
import {
  historyScript,
  positionScript,
  presenceLeaveScript,
  presenceMembersScript,
  presenceRefreshScript,
  presenceSetScript,
  publishScript,
  recentScript,
} from './scripts.js';
import { decodeBody, decodeMember, encodeBody, encodeMember, offsetOfId } from './wire.js';

/** Options of a {@link RedisBroker}. */
export interface RedisBrokerOptions extends RedisLinkOptions {
  /** An existing link to share (e.g. with a {@link RedisRelay}); the broker then does not close it. */
  link?: RedisLink | undefined;
  /** Messages kept per channel (approximate: Redis trims whole stream nodes). Default 1,000. */
  historySize?: number | undefined;
  /** Age after which messages leave history, ms; 0 keeps them until trimmed by size. Default 10 min. */
  historyTtlMs?: number | undefined;
  /**
   * A channel's epoch and offset are kept this long after its last publish or while a node
   * watches it, ms; 0 keeps them forever. Must be at least `historyTtlMs`. Default 24 h.
   */
  channelTtlMs?: number | undefined;
  /** Presence lease, ms; members of a dead node are gone within 4/3 of it. Default 15,000. */
  leaseMs?: number | undefined;
  /** Events held per channel while missed messages are read back. Default 10,000. */
  maxHeldEvents?: number | undefined;
}

/** What a {@link RedisBroker} holds in process right now. */
export interface RedisBrokerStats {
  /** Channels whose events this node receives (it has local subscribers). */
  readonly channels: number;
  /** Channels being subscribed to right now. */
  readonly opening: number;
  /** Presence members this node owns (and renews the leases of). */
  readonly members: number;
}

/** Events of a {@link RedisBroker}. */
export type RedisBrokerEvents = {
  /** Redis health: `down` with the last error, `up` with the outage window that just ended. */
  status: [status: LinkStatus, detail: StatusDetail];
  /** A hole in a channel's live delivery on this node and whether it was filled. */
  gap: [gap: GapReport];
};

/**
 * The broker for several sockkit server nodes sharing one Redis.
 *
 * @example
 * ```ts
 * const broker = new RedisBroker({ url: process.env.REDIS_URL, prefix: 'myapp:' });
 * broker.on('gap', (gap) => log.warn('channel gap', gap));
 * await broker.ready();
 * const server = createSockkitServer({ contract, broker, handlers, port: 3000 });
 * ```
 */
export class RedisBroker extends Emitter<RedisBrokerEvents> implements Broker {
  /** The node's Redis connections (share it with a {@link RedisRelay}). */
  readonly link: RedisLink;
  private readonly ownsLink: boolean;
  private readonly historySize: number;
  private readonly historyTtlMs: number;
  private readonly channelTtlMs: number;
  private readonly leaseMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly feeds = new Map<string, Feed>();
  private readonly subscribing = new Map<string, Promise<void>>();
  private readonly leases: Leases;
  private readonly host: FeedHost;
  private readonly timer: TimerHandle;
  private readonly offStatus: () => void;
  private listener: BrokerListener = () => {};
  private ticking = false;
  private closed = false;

  constructor(options: RedisBrokerOptions = {}) {
    super();
    this.link = options.link ?? new RedisLink(options);
    this.ownsLink = options.link === undefined;
    this.historySize = positive(options.historySize ?? 1000, 'historySize');
    this.historyTtlMs = nonNegative(options.historyTtlMs ?? 10 * 60_000, 'historyTtlMs');
    this.channelTtlMs = nonNegative(options.channelTtlMs ?? 24 * 3_600_000, 'channelTtlMs');
    if (this.channelTtlMs > 0 && this.channelTtlMs < this.historyTtlMs) {
      throw new RangeError('channelTtlMs must be 0 or at least historyTtlMs');
    }
    this.leaseMs = positive(options.leaseMs ?? 15_000, 'leaseMs');
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? consoleLogger;
    const maxHeld = positive(options.maxHeldEvents ?? 10_000, 'maxHeldEvents');
    this.host = {
      maxHeld,
      deliver: (channel, event) => this.deliver(channel, event),
      history: (keys, since) => this.readHistory(keys, since),
      snapshot: (keys) => this.snapshot(keys),
      barrier: () => this.link.barrier(),
      report: (gap) => {
        if (!gap.recovered) {
          this.logger.warn({ ...gap }, 'channel gap not recovered');
          // Tell the server, which tells its subscribers `recovered: false`.
          this.listener(gap.channel, { kind: 'gap', from: gap.from, to: gap.to });
        }
        this.emit('gap', gap);
      },
      warn: (message, meta) => this.logger.warn(meta, message),
    };
    this.leases = new Leases({
      renew: async (channel, conns) => {
        const keys = this.keys(channel);
        const lost = await this.link.run(
          presenceRefreshScript,
          [keys.members, keys.leases, keys.version],
          [this.leaseMs, ...conns],
        );
        return lost as string[];
      },
      rejoin: (channel, member) => this.storeMember(channel, member, 'join'),
    });
    this.offStatus = this.link.on('status', (status, detail) => {
      this.emit('status', status, detail);
      if (status === 'up' && detail.outage) void this.recover();
    });
    this.timer = this.clock.setInterval(() => void this.tick(), Math.max(1, Math.floor(this.leaseMs / 3)));
    unrefTimer(this.timer);
  }

  /** Broker status for the server (it logs outages); see also `on('status')`. */
  onStatus(listener: (status: LinkStatus, detail: { error?: Error | undefined }) => void): () => void {
    return this.on('status', (status, detail) => listener(status, detail));
  }

  /**
   * What this node holds in process (for tests and metrics): channels it watches, channels
   * it is starting to watch, and presence members it owns. History stays in Redis.
   */
  stats(): RedisBrokerStats {
    return { channels: this.feeds.size, opening: this.subscribing.size, members: this.leases.size };
  }

  /** Redis health as this node sees it. */
  get status(): LinkStatus {
    return this.link.status;
  }

  /** Resolves once connected to Redis (bound it with your own timeout). */
  ready(): Promise<void> {
    return this.link.ready();
  }

  listen(listener: BrokerListener): void {
    this.listener = listener;
  }

  subscribe(channel: string): Promise<void> {
    let pending = this.subscribing.get(channel);
    if (pending) return pending;
    if (this.closed) return Promise.reject(closedError());
    if (this.feeds.has(channel)) return Promise.resolve();
    pending = this.open(channel).finally(() => this.subscribing.delete(channel));
    this.subscribing.set(channel, pending);
    return pending;
  }

  async unsubscribe(channel: string): Promise<void> {
    await this.subscribing.get(channel)?.catch(() => {});
    const feed = this.feeds.get(channel);
    if (!feed) return;
    this.feeds.delete(channel);
    feed.close();
    await this.link.unsubscribe(feed.keys.events);
  }

  private async open(channel: string): Promise<void> {
    const keys = this.keys(channel);
    // Read where the channel stands *before* subscribing: a later fill then starts early
    // enough, and the live events that follow are all newer than this read.
    const [start, snapshot] = await Promise.all([this.readPosition(keys), this.snapshot(keys)]);
    const feed = new Feed(channel, keys, this.host, start, snapshot);
    this.feeds.set(channel, feed);
    try {
      await this.link.subscribe(keys.events, (text) => feed.receive(text));
    } catch (error) {
      feed.close();
      if (this.feeds.get(channel) === feed) this.feeds.delete(channel);
      throw error;
    }
    if (this.closed) feed.close();
  }

  async publish(
    channel: string,
    payload: EncodedPayload,
    options: BrokerPublishOptions,
  ): Promise<BrokerMessage> {
    this.assertOpen();
    const keys = this.keys(channel);
    const reply = (await this.link.run(
      publishScript,
      [keys.meta, keys.log],
      [
        keys.events,
        randomId(),
        encodeBody(payload),
        options.volatile ? '1' : '0',
        this.historySize,
        this.historyTtlMs,
        this.channelTtlMs,
      ],
    )) as [string, number?];
    const offset = options.volatile ? undefined : Number(reply[1]);
    return { kind: 'message', epoch: reply[0], offset, payload };
  }

  /**
   * The channel's position. On a channel this node watches, resolves only once live
   * delivery has caught up with it, so the events that follow are all newer.
   */
  async position(channel: string): Promise<TopicPosition> {
    this.assertOpen();
    const position = await this.readPosition(this.keys(channel));
    await this.feeds.get(channel)?.reach(position);
    return position;
  }

  /**
   * History after `since` (at most `limit` messages). On a channel this node watches,
   * resolves only once live delivery has caught up with the position it reports, so a
   * replay followed by live events has no offset twice.
   */
  async history(channel: string, since: TopicPosition, limit?: number): Promise<HistoryReply> {
    this.assertOpen();
    const reply = await this.readHistory(this.keys(channel), since, limit);
    await this.feeds.get(channel)?.reach(reply.position);
    return reply;
  }

  /** The last `limit` messages history holds; like `history`, in step with live delivery. */
  async recent(channel: string, limit: number): Promise<RecentReply> {
    this.assertOpen();
    if (!(Number.isSafeInteger(limit) && limit >= 0))
      throw new RangeError('recent limit must be a non-negative integer');
    const keys = this.keys(channel);
    const reply = (await this.link.run(
      recentScript,
      [keys.meta, keys.log],
      [randomId(), this.channelTtlMs, this.historyTtlMs, limit],
    )) as [string, number, ...string[]];
    const position = { epoch: reply[0], offset: Number(reply[1]) };
    await this.feeds.get(channel)?.reach(position);
    return { position, messages: this.messagesOf(position.epoch, reply, 2) };
  }

  async presenceSet(channel: string, member: BrokerMember, type: 'join' | 'update'): Promise<void> {
    this.assertOpen();
    // Owned even if Redis is away right now: the next renewal adds it once Redis is back.
    this.leases.add(channel, member);
    await this.storeMember(channel, member, type);
  }

  async presenceLeave(channel: string, conn: string): Promise<void> {
    this.assertOpen();
    await this.leave(channel, conn);
  }

  async presenceMembers(channel: string): Promise<BrokerMember[]> {
    this.assertOpen();
    const snapshot = await this.snapshot(this.keys(channel));
    return snapshot.members.map((encoded) => decodeMember(encoded));
  }

  /**
   * Renews this node's presence leases and reaps expired members of the channels it
   * watches. Runs every `leaseMs / 3` on the broker's clock; exposed for tests.
   */
  async tick(): Promise<void> {
    if (this.closed || this.ticking) return;
    this.ticking = true;
    try {
      const reaps = [...this.feeds.values()].map((feed) =>
        this.link
          .run(
            presenceMembersScript,
            [feed.keys.members, feed.keys.leases, feed.keys.version, feed.keys.meta],
            [feed.keys.events, '0', this.channelTtlMs, this.leaseMs],
          )
          .catch(() => {}),
      );
      await Promise.all([this.leases.renewAll(), ...reaps]);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Closes; the link too when the broker created it. Presence members this node still owns
   * are removed first (best effort, bounded by the command timeout), unless
   * `leavePresence: false`; any left behind expire by lease.
   */
  async close(options: { leavePresence?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearInterval(this.timer);
    if (options.leavePresence !== false && this.link.status === 'up') {
      await Promise.all(
        this.leases.entries().map(([channel, conn]) => this.leave(channel, conn).catch(() => {})),
      );
    }
    this.offStatus();
    for (const feed of this.feeds.values()) feed.close();
    const channels = [...this.feeds.values()].map((feed) => feed.keys.events);
    this.feeds.clear();
    if (this.ownsLink) await this.link.close();
    else await Promise.all(channels.map((events) => this.link.unsubscribe(events)));
  }

  private keys(channel: string): ChannelKeys {
    return channelKeys(this.link.prefix, channel);
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }

  private deliver(channel: string, event: BrokerEvent): void {
    try {
      this.listener(channel, event);
    } catch (error) {
      this.logger.error({ channel, err: error }, 'broker listener threw');
    }
  }

  private async recover(): Promise<void> {
    await Promise.all([this.leases.renewAll(), ...[...this.feeds.values()].map((feed) => feed.recover())]);
  }

  private async leave(channel: string, conn: string): Promise<void> {
    this.leases.remove(channel, conn);
    const keys = this.keys(channel);
    await this.link.run(
      presenceLeaveScript,
      [keys.members, keys.leases, keys.version],
      [keys.events, conn, this.leaseMs],
    );
  }

  private async storeMember(channel: string, member: BrokerMember, type: 'join' | 'update'): Promise<void> {
    const keys = this.keys(channel);
    await this.link.run(
      presenceSetScript,
      [keys.members, keys.leases, keys.version],
      [keys.events, member.conn, encodeMember(member), type === 'join' ? 'j' : 'u', this.leaseMs],
    );
  }

  private async readPosition(keys: ChannelKeys): Promise<TopicPosition> {
    const reply = (await this.link.run(
      positionScript,
      [keys.meta, keys.log],
      [randomId(), this.channelTtlMs],
    )) as [string, number];
    return { epoch: reply[0], offset: Number(reply[1]) };
  }

  private async readHistory(keys: ChannelKeys, since: TopicPosition, limit?: number): Promise<HistoryReply> {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new RangeError('history limit must be a non-negative integer');
    }
    const reply = (await this.link.run(
      historyScript,
      [keys.meta, keys.log],
      [randomId(), this.channelTtlMs, since.epoch, since.offset, this.historyTtlMs, limit ?? -1],
    )) as [string, number, number, ...string[]];
    const position = { epoch: reply[0], offset: Number(reply[1]) };
    if (reply[2] !== 1) return { recovered: false, position };
    return { recovered: true, position, messages: this.messagesOf(position.epoch, reply, 3) };
  }

  /** Stream entries `id, body` from index `start` of a script's reply, as messages. */
  private messagesOf(epoch: string, reply: readonly unknown[], start: number): BrokerMessage[] {
    const messages: BrokerMessage[] = [];
    for (let i = start; i + 1 < reply.length; i += 2) {
      messages.push({
        kind: 'message',
        epoch,
        offset: offsetOfId(reply[i] as string),
        payload: decodeBody(reply[i + 1] as string),
      });
    }
    return messages;
  }

  private async snapshot(keys: ChannelKeys): Promise<Snapshot> {
    const reply = (await this.link.run(
      presenceMembersScript,
      [keys.members, keys.leases, keys.version, keys.meta],
      [keys.events, '1', this.channelTtlMs, this.leaseMs],
    )) as [number, ...string[]];
    return { version: Number(reply[0]), members: reply.slice(1) as string[] };
  }
}

function closedError(): SockkitError {
  return new SockkitError('UNAVAILABLE', 'redis broker closed');
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be 0 or more`);
  return value;
}
