/**
 * Topics on one node: which local connections listen to which channel (the table lives
 * here), the subscribe flow with its replay-to-live seam, publishes from server and clients,
 * and presence. Each broker event becomes one frame string, shared by every local subscriber.
 *
 * The seam: a subscribing connection is attached to the channel as *pending* before history
 * (or the current position) is read, so live events that race the read are buffered, then
 * replayed history and buffered events are sent with offsets strictly above the last one
 * sent (catch-up.ts, which also paces the replay by what the socket drains). Nothing
 * published after the subscribe is missed, nothing is sent twice.
 */
import {
  type ContractDef,
  channelKey,
  type EncodedPayload,
  SockkitError,
  type TopicDef,
} from '@sockkit/core';
import {
  type ClientMessage,
  decodePayload,
  lookup,
  type MemberFields,
  msgFrame,
  presenceFrame,
  resultFrame,
  subscribedFrame,
  type TopicPosition,
  unsubscribedFrame,
  utf8Length,
  validate,
} from '@sockkit/core/protocol';
import type { Broker, BrokerEvent, BrokerMember, BrokerMessage } from './broker.js';
import {
  type Buffered,
  bufferLive,
  type CatchUpDeps,
  catchUp,
  channelParams,
  type Pending,
  REPLAY_PAGE,
  resyncFrame,
} from './catch-up.js';
import type { ChannelSnapshot } from './observer.js';
import type { TopicHistory, TopicHookContext, TopicPositionReply } from './options.js';
import type { Peer } from './peer.js';
import type { ServerRuntime } from './runtime.js';

interface LocalChannel {
  readonly key: string;
  readonly topic: string;
  readonly def: TopicDef;
  readonly keyJson: string;
  /** Resolves when the broker delivers this channel to the node. */
  ready: Promise<void>;
  live: Set<Peer>;
  pending: Map<Peer, Pending>;
  /** Connections that joined presence on this channel. */
  present: Set<Peer>;
  /** Cached JSON of the last epoch seen (epochs rarely change). */
  epoch: string;
  epochJson: string;
}

/** One subscription of a connection to a channel, from its `sub` on: its identity (a number, so it costs no object). */
type Reservation = number;

type SubMessage = Extract<ClientMessage, { t: 'sub' }>;
type PubMessage = Extract<ClientMessage, { t: 'pub' }>;
type PsetMessage = Extract<ClientMessage, { t: 'pset' }>;

/** A topic and params, validated, with the channel key they name. */
interface Resolved {
  readonly def: TopicDef;
  readonly params: unknown;
  readonly key: string;
}

/** The topic layer of one server node. */
export class TopicHub implements CatchUpDeps {
  private readonly channels = new Map<string, LocalChannel>();
  /** The channel keys each connection is subscribed to. */
  private readonly memberships = new Map<Peer, Map<string, Reservation>>();
  private reservations = 0;
  private readonly contract: ContractDef;
  readonly softBufferedBytes: number;

  constructor(
    readonly broker: Broker,
    private readonly rt: ServerRuntime,
  ) {
    this.contract = rt.contract;
    this.softBufferedBytes = rt.limits.softBufferedBytes;
    broker.listen((channel, event) => this.deliver(channel, event));
  }

  /** The channels with subscribers on this node, for observers (observer.ts). */
  snapshot(): ChannelSnapshot[] {
    return [...this.channels.values()].map((channel) => ({
      key: channel.key,
      topic: channel.topic,
      subscribers: channel.live.size + channel.pending.size,
      presence: channel.present.size,
    }));
  }

  /** Channel keys `peer` is subscribed to. */
  channelsOf(peer: Peer): string[] {
    return [...(this.memberships.get(peer)?.keys() ?? [])];
  }

  // ---- client messages ------------------------------------------------------------------

  async clientSubscribe(peer: Peer, message: SubMessage): Promise<void> {
    let reservation: Reservation | undefined;
    let key: string | undefined;
    try {
      const resolved = this.resolve(message.topic, message.params);
      key = resolved.key;
      reservation = this.reserve(peer, key);
      const hook = this.rt.topicHooks[message.topic]?.authorize?.subscribe;
      if (hook && !(await hook(this.hookContext(peer, resolved.params)))) {
        throw new SockkitError('FORBIDDEN', `not allowed to subscribe to '${message.topic}'`);
      }
      const presence =
        message.presence === undefined
          ? undefined
          : await this.clientPresenceState(
              peer,
              message.topic,
              resolved,
              message.presence.d,
              message.presence.m,
            );
      await this.join(
        peer,
        message.topic,
        resolved,
        reservation,
        message.id,
        message.from,
        presence,
        message.last,
      );
    } catch (error) {
      if (key !== undefined && this.memberships.get(peer)?.get(key) === reservation)
        this.memberships.get(peer)?.delete(key);
      peer.sendError(message.id, SockkitError.from(error).toWire());
    }
  }

  async clientUnsubscribe(peer: Peer, id: number, key: string): Promise<void> {
    if (!this.memberships.get(peer)?.has(key)) {
      peer.sendError(id, { code: 'NOT_FOUND', message: 'not subscribed to that channel' });
      return;
    }
    await this.leave(peer, key);
    peer.send(resultFrame(id));
  }

  async clientPublish(peer: Peer, message: PubMessage): Promise<void> {
    try {
      const { def, params, key } = this.resolve(message.topic, message.params);
      if (def.publish !== 'client') {
        throw new SockkitError('FORBIDDEN', `clients may not publish to '${message.topic}'`);
      }
      const hooks = this.rt.topicHooks[message.topic];
      const ctx = this.hookContext(peer, params);
      if (hooks?.authorize?.publish && !(await hooks.authorize.publish(ctx))) {
        throw new SockkitError('FORBIDDEN', `not allowed to publish to '${message.topic}'`);
      }
      const decoded = this.rt.codec.decode(message.d, message.m);
      let value: unknown;
      if (def.publishInput) {
        const input = validate(def.publishInput, decoded, `publish to '${message.topic}'`);
        // The hook is checked at creation; what it makes is the server's own output.
        value = validate(
          def.message,
          await hooks!.onPublish!(input, ctx),
          `message of '${message.topic}'`,
          'INTERNAL',
        );
      } else {
        value = validate(def.message, decoded, `message of '${message.topic}'`);
        if (hooks?.onPublish) value = await hooks.onPublish(value, ctx);
      }
      const position = await this.publishValidated(
        message.topic,
        key,
        def,
        value,
        message.volatile ?? false,
        'client',
      );
      peer.send(resultFrame(message.id, this.rt.codec.encode(position)));
    } catch (error) {
      peer.sendError(message.id, SockkitError.from(error).toWire());
    }
  }

  async clientPresence(peer: Peer, message: PsetMessage): Promise<void> {
    try {
      const channel = this.channels.get(message.c);
      if (!channel || !this.memberships.get(peer)?.has(message.c))
        throw new SockkitError('NOT_FOUND', 'not subscribed to that channel');
      const resolved = { def: channel.def, params: channelParams(channel.key), key: channel.key };
      // Without an onPresence hook nothing here waits before the broker has the state, so a
      // `pset` followed by an `unsub` is applied in that order.
      const checking = this.clientPresenceState(peer, channel.topic, resolved, message.d, message.m);
      const state = checking instanceof Promise ? await checking : checking;
      if (
        !peer.open ||
        !this.memberships.get(peer)?.has(channel.key) ||
        this.channels.get(channel.key) !== channel
      )
        throw new SockkitError('NOT_FOUND', 'not subscribed to that channel');
      const joining = !channel.present.has(peer);
      channel.present.add(peer);
      await this.guard(
        this.broker.presenceSet(channel.key, member(peer, state), joining ? 'join' : 'update'),
      );
      if (joining && !(await this.hasRoom(channel.key, peer))) {
        // Over the limit after all (the count is read once joined, to keep the order above).
        channel.present.delete(peer);
        await this.broker.presenceLeave(channel.key, peer.id).catch(() => {});
        throw this.full(channel.key);
      }
      peer.send(resultFrame(message.id));
    } catch (error) {
      peer.sendError(message.id, SockkitError.from(error).toWire());
    }
  }

  // ---- server API ----------------------------------------------------------------------

  /** Publishes from the server: validates once, encodes once. */
  async publish(
    topic: string,
    params: unknown,
    message: unknown,
    volatile?: boolean,
  ): Promise<TopicPositionReply> {
    const { def, key } = this.resolve(topic, params);
    const value = validate(def.message, message, `message of '${topic}'`);
    return this.publishValidated(topic, key, def, value, volatile ?? false, 'server');
  }

  /** The last `limit` messages of a channel's history, decoded. */
  async history(topic: string, params: unknown, limit: number): Promise<TopicHistory<unknown>> {
    if (!(Number.isSafeInteger(limit) && limit >= 0))
      throw new TypeError(`sockkit: history limit must be a non-negative integer (got ${limit})`);
    const { key } = this.resolve(topic, params);
    const reply = await this.guard(this.broker.recent(key, limit));
    const messages = reply.messages.map((m) => ({
      offset: m.offset!,
      message: decodePayload(this.rt.codec, m.payload),
    }));
    return { position: reply.position, messages };
  }

  async serverSubscribe(peer: Peer, topic: string, params: unknown, presence: unknown): Promise<void> {
    const resolved = this.resolve(topic, params);
    const state = presence === undefined ? undefined : this.presenceState(resolved.def, topic, presence);
    await this.join(peer, topic, resolved, this.reserve(peer, resolved.key), undefined, undefined, state);
  }

  async serverUnsubscribe(peer: Peer, topic: string, params: unknown): Promise<void> {
    const { key } = this.resolve(topic, params);
    if (!this.memberships.get(peer)?.has(key)) return;
    await this.leave(peer, key);
    peer.send(unsubscribedFrame(key));
  }

  /** Removes a closed connection from every channel and from presence. */
  async dropConnection(peer: Peer): Promise<void> {
    const keys = this.memberships.get(peer);
    if (!keys) return;
    await Promise.all([...keys.keys()].map((key) => this.leave(peer, key).catch(() => {})));
    this.memberships.delete(peer);
  }

  // ---- internals ------------------------------------------------------------------------

  private resolve(topic: string, params: unknown): Resolved {
    const def = lookup(this.contract.topics, topic);
    if (!def) throw new SockkitError('NOT_FOUND', `no topic '${topic}'`);
    if (def.params) {
      const parsed = validate(def.params, params, `params of '${topic}'`);
      return { def, params: parsed, key: channelKey(topic, parsed) };
    }
    if (params !== undefined && params !== null)
      throw new SockkitError('BAD_REQUEST', `topic '${topic}' takes no params`);
    return { def, params: undefined, key: topic };
  }

  /**
   * A presence state a client sent: decoded, validated, seen by `onPresence`, encoded. Only the
   * hook makes it wait: without one the state is ready at once.
   */
  private clientPresenceState(
    peer: Peer,
    topic: string,
    { def, params }: Resolved,
    json: unknown,
    meta: unknown,
  ): EncodedPayload | Promise<EncodedPayload> {
    if (!def.presence) throw new SockkitError('BAD_REQUEST', `topic '${topic}' has no presence`);
    const state = validate(def.presence, this.rt.codec.decode(json, meta), `presence of '${topic}'`);
    const hook = this.rt.topicHooks[topic]?.onPresence;
    if (!hook) return this.encodePresence(state);
    return Promise.resolve(hook(state, this.hookContext(peer, params))).then((kept) =>
      this.encodePresence(kept),
    );
  }

  /** Validates and encodes a presence state the server sets, within `maxPresenceStateBytes`. */
  private presenceState(def: TopicDef, topic: string, state: unknown): EncodedPayload {
    if (!def.presence) throw new SockkitError('BAD_REQUEST', `topic '${topic}' has no presence`);
    return this.encodePresence(validate(def.presence, state, `presence of '${topic}'`));
  }

  private encodePresence(state: unknown): EncodedPayload {
    const encoded = this.rt.codec.encode(state);
    const limit = this.rt.limits.maxPresenceStateBytes;
    const size = utf8Length(encoded.json ?? '') + utf8Length(encoded.meta ?? '');
    if (size > limit)
      throw new SockkitError(
        'PAYLOAD_TOO_LARGE',
        `presence state of ${size} bytes exceeds the limit of ${limit}`,
        {
          details: { limit },
        },
      );
    return encoded;
  }

  /**
   * Takes `peer`'s place for channel `key` before anything is awaited, so that an `unsub` right
   * behind the `sub` (in the same frame, say) finds it, and a second `sub` is a CONFLICT.
   */
  private reserve(peer: Peer, key: string): Reservation {
    let subs = this.memberships.get(peer);
    if (!subs) {
      subs = new Map();
      this.memberships.set(peer, subs);
    }
    if (subs.has(key)) throw new SockkitError('CONFLICT', `already subscribed to ${key}`);
    const limit = this.rt.limits.maxSubscriptions;
    if (subs.size >= limit)
      throw new SockkitError('LIMIT_EXCEEDED', `more than ${limit} subscriptions`, { details: { limit } });
    const reservation: Reservation = ++this.reservations;
    // The channel's own key string when it exists: one copy however many connections subscribe.
    subs.set(this.channels.get(key)?.key ?? key, reservation);
    return reservation;
  }

  /** Whether a channel has room for `peer` to join presence: fewer than `maxPresenceMembers` others. */
  private async hasRoom(key: string, peer: Peer, members?: readonly BrokerMember[]): Promise<boolean> {
    const all = members ?? (await this.guard(this.broker.presenceMembers(key)));
    return all.filter((m) => m.conn !== peer.id).length < this.rt.limits.maxPresenceMembers;
  }

  private full(key: string): SockkitError {
    const limit = this.rt.limits.maxPresenceMembers;
    return new SockkitError('LIMIT_EXCEEDED', `presence of ${key} is full (${limit} members)`, {
      details: { limit },
    });
  }

  private hookContext(peer: Peer, params: unknown): TopicHookContext<unknown, unknown, unknown> {
    return { auth: peer.auth, conn: peer.facade, server: this.rt.server, params } as TopicHookContext<
      unknown,
      unknown,
      unknown
    >;
  }

  private async publishValidated(
    topic: string,
    key: string,
    def: TopicDef,
    value: unknown,
    volatile: boolean,
    origin: 'client' | 'server',
  ): Promise<TopicPositionReply> {
    const payload = this.rt.codec.encode(value);
    const isVolatile = volatile || def.volatile === true;
    const message = await this.guard(this.broker.publish(key, payload, { volatile: isVolatile }));
    this.rt.observers.hub?.published({
      topic,
      channel: key,
      bytes: utf8Length(payload.json ?? '') + utf8Length(payload.meta ?? ''),
      volatile: isVolatile,
      origin,
    });
    return message.offset === undefined
      ? { epoch: message.epoch }
      : { epoch: message.epoch, offset: message.offset };
  }

  /** Broker failures reach callers as UNAVAILABLE (unless the broker said something precise). */
  async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof SockkitError) throw error;
      throw new SockkitError('UNAVAILABLE', 'topic broker unavailable', { cause: error });
    }
  }

  private async join(
    peer: Peer,
    topic: string,
    { def, params, key }: Resolved,
    reservation: Reservation,
    requestId: number | undefined,
    from: TopicPosition | undefined,
    presence: EncodedPayload | undefined,
    last?: number,
  ): Promise<void> {
    const owned = () => this.memberships.get(peer)?.get(key) === reservation;
    const channel = this.attach(key, topic, def);
    const pending: Pending = { buffer: [], bytes: 0, overflowed: false };
    channel.pending.set(peer, pending);
    const current = () => peer.open && owned() && channel.pending.get(peer) === pending;
    if (!current()) return await this.abandon(peer, channel, pending, key, requestId);
    let answered = false;
    try {
      await this.guard(channel.ready);
      const { position, replay, recovered, more } = await this.startAt(key, from, last);
      let members = def.presence ? await this.guard(this.broker.presenceMembers(key)) : undefined;
      if (presence && current() && !(await this.hasRoom(key, peer, members))) throw this.full(key);
      if (presence && current()) {
        channel.present.add(peer);
        const self = member(peer, presence);
        await this.guard(this.broker.presenceSet(key, self, 'join'));
        members = [...(members ?? []).filter((m) => m.conn !== peer.id), self];
      }
      if (channel.epoch === '') {
        channel.epoch = position.epoch;
        channel.epochJson = JSON.stringify(position.epoch);
      }
      if (!current()) return await this.abandon(peer, channel, pending, key, requestId);
      peer.send(
        subscribedFrame({ id: requestId, topic, params, channel: key, position, recovered, members }),
      );
      answered = true;
      if (!(await catchUp(this, peer, channel, pending, position, replay, more, current)))
        return await this.abandon(peer, channel, pending, key, undefined);
    } catch (error) {
      if (channel.pending.get(peer) === pending) channel.pending.delete(peer);
      if (owned()) this.memberships.get(peer)?.delete(key);
      if (channel.present.delete(peer)) await this.broker.presenceLeave(key, peer.id).catch(() => {});
      await this.detachIfIdle(channel);
      if (!answered) throw error;
      // The subscription was confirmed but its history could not be read to the end.
      if (peer.open) peer.send(unsubscribedFrame(key, SockkitError.from(error).toWire()));
    }
  }

  /**
   * Where a subscriber starts: after `from` when history still holds everything since (the
   * first page of it to replay), else with the `last` messages history holds (recovered: false
   * when `from` could not be resumed), else at the current position.
   */
  private async startAt(
    key: string,
    from: TopicPosition | undefined,
    last: number | undefined,
  ): Promise<{ position: TopicPosition; replay: BrokerMessage[]; recovered: boolean; more: boolean }> {
    let recovered = true;
    if (from) {
      const reply = await this.guard(this.broker.history(key, from, REPLAY_PAGE));
      if (from.epoch === reply.position.epoch && from.offset > reply.position.offset) {
        throw new SockkitError(
          'BAD_REQUEST',
          `resume offset ${from.offset} is ahead of ${key} (at ${reply.position.offset})`,
        );
      }
      if (reply.recovered)
        return {
          position: from,
          replay: reply.messages,
          recovered,
          more: reply.messages.length >= REPLAY_PAGE,
        };
      recovered = false;
      if (!last) return { position: reply.position, replay: [], recovered, more: false };
    }
    if (last) {
      const recent = await this.guard(this.broker.recent(key, last));
      const first = recent.messages[0]?.offset;
      const offset = first === undefined ? recent.position.offset : first - 1;
      return {
        position: { epoch: recent.position.epoch, offset },
        replay: recent.messages,
        recovered,
        more: false,
      };
    }
    return { position: await this.guard(this.broker.position(key)), replay: [], recovered, more: false };
  }

  /**
   * The join ended without going live (unsubscribed or closed meanwhile): a `sub` not yet
   * answered gets CANCELLED, and a presence this join created is taken back unless a newer
   * subscribe of the same connection owns it now.
   */
  private async abandon(
    peer: Peer,
    channel: LocalChannel,
    pending: Pending,
    key: string,
    requestId: number | undefined,
  ) {
    if (channel.pending.get(peer) === pending) channel.pending.delete(peer);
    if (peer.open && requestId !== undefined)
      peer.sendError(requestId, {
        code: 'CANCELLED',
        message: 'unsubscribed before the subscription completed',
      });
    const owned = peer.open && this.memberships.get(peer)?.has(key);
    if (!owned && channel.present.delete(peer)) await this.broker.presenceLeave(key, peer.id).catch(() => {});
    await this.detachIfIdle(channel);
  }

  private attach(key: string, topic: string, def: TopicDef): LocalChannel {
    let channel = this.channels.get(key);
    if (!channel) {
      channel = {
        key,
        topic,
        def,
        keyJson: JSON.stringify(key),
        ready: this.broker.subscribe(key),
        live: new Set(),
        pending: new Map(),
        present: new Set(),
        epoch: '',
        epochJson: '""',
      };
      channel.ready.catch(() => {});
      this.channels.set(key, channel);
    }
    return channel;
  }

  private async leave(peer: Peer, key: string): Promise<void> {
    this.memberships.get(peer)?.delete(key);
    const channel = this.channels.get(key);
    if (!channel) return;
    channel.live.delete(peer);
    channel.pending.delete(peer);
    if (channel.present.delete(peer)) await this.guard(this.broker.presenceLeave(key, peer.id));
    await this.detachIfIdle(channel);
  }

  private async detachIfIdle(channel: LocalChannel): Promise<void> {
    if (channel.live.size > 0 || channel.pending.size > 0 || this.channels.get(channel.key) !== channel)
      return;
    this.channels.delete(channel.key);
    await this.broker
      .unsubscribe(channel.key)
      .catch((error) =>
        this.rt.logger.warn({ channel: channel.key, err: error }, 'broker unsubscribe failed'),
      );
  }

  /**
   * Messages up to `to` cannot be delivered: every live subscriber gets a fresh `subscribed`
   * with `recovered: false` (its client emits `recovered(false)` and resyncs); pending ones
   * will read the position themselves.
   */
  private lost(channel: LocalChannel, to: TopicPosition): void {
    this.rt.logger.warn({ channel: channel.key, epoch: to.epoch, offset: to.offset }, 'topic history lost');
    this.rt.observers.hub?.gap({ topic: channel.topic, channel: channel.key });
    if (channel.epoch !== to.epoch) {
      channel.epoch = to.epoch;
      channel.epochJson = JSON.stringify(to.epoch);
    }
    const frame = resyncFrame(channel, to);
    for (const peer of channel.live) peer.send(frame);
  }

  /** Turns one broker event into one frame and hands it to every local subscriber. */
  private deliver(key: string, event: BrokerEvent): void {
    const channel = this.channels.get(key);
    if (!channel) return;
    if (event.kind === 'gap') return this.lost(channel, event.to);
    let item: Buffered;
    if (event.kind === 'message') {
      if (event.epoch !== channel.epoch) {
        // History was lost under the subscribers' feet: tell them before the new epoch's messages.
        if (channel.epoch !== '' && event.offset !== undefined)
          this.lost(channel, { epoch: event.epoch, offset: event.offset - 1 });
        channel.epoch = event.epoch;
        channel.epochJson = JSON.stringify(event.epoch);
      }
      const frame = msgFrame(channel.keyJson, channel.epochJson, event.offset, event.payload);
      item = {
        frame,
        epoch: event.epoch,
        offset: event.offset,
        volatile: event.offset === undefined,
        presence: false,
      };
    } else {
      const frame = presenceFrame(channel.keyJson, event.type, event.member);
      item = { frame, epoch: channel.epoch, offset: undefined, volatile: false, presence: true };
    }
    for (const peer of channel.live) peer.send(item.frame, item.volatile);
    this.rt.observers.hub?.delivered({
      topic: channel.topic,
      channel: key,
      kind: event.kind === 'message' ? 'message' : event.type,
      recipients: channel.live.size,
      bytes: utf8Length(item.frame),
    });
    if (channel.pending.size > 0)
      for (const pending of channel.pending.values()) bufferLive(pending, item, this.softBufferedBytes);
  }
}

function member(peer: Peer, state: EncodedPayload): BrokerMember & MemberFields {
  return { conn: peer.id, user: peer.user, state };
}
