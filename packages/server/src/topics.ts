/**
 * Topics on one node: which local connections listen to which channel, the subscribe flow
 * with its replay-to-live seam, publishes from server and clients, and presence. Each broker
 * event becomes one frame string, shared by every local subscriber.
 *
 * The seam: a subscribing connection is attached to the channel as *pending* before history
 * (or the current position) is read, so live events that race the read are buffered, then
 * replayed history and buffered events are sent with offsets strictly above the last one
 * sent. Nothing published after the subscribe is missed, nothing is sent twice.
 */
import {
  type ClientMessage,
  type ContractDef,
  channelKey,
  type EncodedPayload,
  lookup,
  messageFrame,
  payloadFields,
  SockkitError,
  type TopicDef,
  type TopicPosition,
  validate,
} from '@sockkit/core';
import type { Broker, BrokerEvent, BrokerMember, BrokerMessage } from './broker.js';
import type { Connection } from './connection.js';
import type { TopicHookContext } from './options.js';
import type { ServerRuntime } from './runtime.js';

interface Pending {
  /** Frames that arrived during the history read, with their offsets (undefined: volatile/presence). */
  buffer: { frame: string; offset: number | undefined; volatile: boolean }[];
}

interface LocalChannel {
  readonly key: string;
  readonly topic: string;
  readonly def: TopicDef;
  readonly keyJson: string;
  /** Resolves when the broker delivers this channel to the node. */
  ready: Promise<void>;
  live: Set<Connection>;
  pending: Map<Connection, Pending>;
  /** Connections that joined presence on this channel. */
  present: Set<Connection>;
  /** Cached JSON of the last epoch seen (epochs rarely change). */
  epoch: string;
  epochJson: string;
}

type SubMessage = Extract<ClientMessage, { t: 'sub' }>;
type PubMessage = Extract<ClientMessage, { t: 'pub' }>;
type PsetMessage = Extract<ClientMessage, { t: 'pset' }>;

/** The topic layer of one server node. */
export class TopicHub {
  private readonly channels = new Map<string, LocalChannel>();
  private rt!: ServerRuntime;

  constructor(
    readonly broker: Broker,
    private readonly contract: ContractDef,
  ) {
    broker.listen((channel, event) => this.deliver(channel, event));
  }

  /** @internal Wires the runtime once the server has built it. */
  bind(rt: ServerRuntime): void {
    this.rt = rt;
  }

  // ---- client messages ------------------------------------------------------------------

  async clientSubscribe(conn: Connection, message: SubMessage): Promise<void> {
    try {
      const { def, params } = this.resolve(message.topic, message.params);
      const hook = this.rt.topicHooks[message.topic]?.authorize?.subscribe;
      if (hook && !(await hook(this.hookContext(conn, params)))) {
        throw new SockkitError('FORBIDDEN', `not allowed to subscribe to '${message.topic}'`);
      }
      const presence =
        message.presence === undefined
          ? undefined
          : this.presenceState(
              def,
              message.topic,
              this.rt.codec.decode(message.presence.d, message.presence.m),
            );
      await this.join(conn, message.topic, def, params, message.id, message.from, presence);
    } catch (error) {
      conn.sendError(message.id, SockkitError.from(error).toWire());
    }
  }

  async clientUnsubscribe(conn: Connection, id: number, key: string): Promise<void> {
    if (!conn.subscriptions?.has(key)) {
      conn.sendError(id, { code: 'NOT_FOUND', message: 'not subscribed to that channel' });
      return;
    }
    await this.leave(conn, key);
    conn.send(`{"t":"result","id":${id}}`);
  }

  async clientPublish(conn: Connection, message: PubMessage): Promise<void> {
    try {
      const { def, params } = this.resolve(message.topic, message.params);
      if (def.publish !== 'client') {
        throw new SockkitError('FORBIDDEN', `clients may not publish to '${message.topic}'`);
      }
      const hooks = this.rt.topicHooks[message.topic];
      const ctx = this.hookContext(conn, params);
      if (hooks?.authorize?.publish && !(await hooks.authorize.publish(ctx))) {
        throw new SockkitError('FORBIDDEN', `not allowed to publish to '${message.topic}'`);
      }
      let value = validate(
        def.message,
        this.rt.codec.decode(message.d, message.m),
        `message of '${message.topic}'`,
      );
      if (hooks?.onPublish) value = await hooks.onPublish(value, ctx);
      const position = await this.publishValidated(
        message.topic,
        def,
        params,
        value,
        message.volatile ?? false,
      );
      const offset = position.offset === undefined ? '' : `,"offset":${position.offset}`;
      conn.send(`{"t":"result","id":${message.id},"d":{"epoch":${JSON.stringify(position.epoch)}${offset}}}`);
    } catch (error) {
      conn.sendError(message.id, SockkitError.from(error).toWire());
    }
  }

  async clientPresence(conn: Connection, message: PsetMessage): Promise<void> {
    try {
      const channel = this.channels.get(message.c);
      if (!channel || !conn.subscriptions?.has(message.c))
        throw new SockkitError('NOT_FOUND', 'not subscribed to that channel');
      const state = this.presenceState(
        channel.def,
        channel.topic,
        this.rt.codec.decode(message.d, message.m),
      );
      const type = channel.present.has(conn) ? 'update' : 'join';
      channel.present.add(conn);
      await this.guard(this.broker.presenceSet(channel.key, member(conn, state), type));
      conn.send(`{"t":"result","id":${message.id}}`);
    } catch (error) {
      conn.sendError(message.id, SockkitError.from(error).toWire());
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
    const resolved = this.resolve(topic, params);
    const value = validate(resolved.def.message, message, `message of '${topic}'`);
    return this.publishValidated(topic, resolved.def, resolved.params, value, volatile ?? false);
  }

  async serverSubscribe(conn: Connection, topic: string, params: unknown, presence: unknown): Promise<void> {
    const { def, params: parsed } = this.resolve(topic, params);
    const state = presence === undefined ? undefined : this.presenceState(def, topic, presence);
    await this.join(conn, topic, def, parsed, undefined, undefined, state);
  }

  async serverUnsubscribe(conn: Connection, topic: string, params: unknown): Promise<void> {
    const { params: parsed } = this.resolve(topic, params);
    const key = channelKey(topic, parsed);
    if (!conn.subscriptions?.has(key)) return;
    await this.leave(conn, key);
    conn.send(`{"t":"unsubscribed","c":${JSON.stringify(key)}}`);
  }

  /** Removes a closed connection from every channel and from presence. */
  async dropConnection(conn: Connection): Promise<void> {
    if (!conn.subscriptions) return;
    await Promise.all([...conn.subscriptions].map((key) => this.leave(conn, key).catch(() => {})));
  }

  // ---- internals ------------------------------------------------------------------------

  private resolve(topic: string, params: unknown): { def: TopicDef; params: unknown } {
    const def = lookup(this.contract.topics, topic);
    if (!def) throw new SockkitError('NOT_FOUND', `no topic '${topic}'`);
    if (def.params) return { def, params: validate(def.params, params, `params of '${topic}'`) };
    if (params !== undefined && params !== null)
      throw new SockkitError('BAD_REQUEST', `topic '${topic}' takes no params`);
    return { def, params: undefined };
  }

  private presenceState(def: TopicDef, topic: string, state: unknown): EncodedPayload {
    if (!def.presence) throw new SockkitError('BAD_REQUEST', `topic '${topic}' has no presence`);
    return this.rt.codec.encode(validate(def.presence, state, `presence of '${topic}'`));
  }

  private hookContext(conn: Connection, params: unknown): TopicHookContext<unknown, unknown, unknown> {
    return { auth: conn.auth, conn, params } as TopicHookContext<unknown, unknown, unknown>;
  }

  private async publishValidated(
    topic: string,
    def: TopicDef,
    params: unknown,
    value: unknown,
    volatile: boolean,
  ): Promise<TopicPositionReply> {
    const key = channelKey(topic, params);
    const message = await this.guard(
      this.broker.publish(key, this.rt.codec.encode(value), { volatile: volatile || def.volatile === true }),
    );
    return message.offset === undefined
      ? { epoch: message.epoch }
      : { epoch: message.epoch, offset: message.offset };
  }

  /** Broker failures reach callers as UNAVAILABLE (unless the broker said something precise). */
  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof SockkitError) throw error;
      throw new SockkitError('UNAVAILABLE', 'topic broker unavailable', { cause: error });
    }
  }

  private async join(
    conn: Connection,
    topic: string,
    def: TopicDef,
    params: unknown,
    requestId: number | undefined,
    from: TopicPosition | undefined,
    presence: EncodedPayload | undefined,
  ): Promise<void> {
    const key = channelKey(topic, params);
    conn.subscriptions ??= new Set();
    const subs = conn.subscriptions;
    if (subs.has(key)) throw new SockkitError('CONFLICT', `already subscribed to ${key}`);
    if (subs.size >= this.rt.limits.maxSubscriptions) {
      throw new SockkitError('LIMIT_EXCEEDED', `more than ${this.rt.limits.maxSubscriptions} subscriptions`, {
        details: { limit: this.rt.limits.maxSubscriptions },
      });
    }
    const channel = this.attach(key, topic, def);
    // The channel's own key string: one copy however many connections subscribe.
    subs.add(channel.key);
    const pending: Pending = { buffer: [] };
    channel.pending.set(conn, pending);
    try {
      await this.guard(channel.ready);
      let position: TopicPosition;
      let replay: BrokerMessage[] = [];
      let recovered = true;
      if (from) {
        const reply = await this.guard(this.broker.history(key, from));
        if (from.epoch === reply.position.epoch && from.offset > reply.position.offset) {
          throw new SockkitError(
            'BAD_REQUEST',
            `resume offset ${from.offset} is ahead of ${key} (at ${reply.position.offset})`,
          );
        }
        if (reply.recovered) {
          position = from;
          replay = reply.messages;
        } else {
          position = reply.position;
          recovered = false;
        }
      } else {
        position = await this.guard(this.broker.position(key));
      }
      if (presence) {
        channel.present.add(conn);
        await this.guard(this.broker.presenceSet(key, member(conn, presence), 'join'));
      }
      const members = def.presence ? await this.guard(this.broker.presenceMembers(key)) : undefined;
      if (channel.epoch === '') {
        channel.epoch = position.epoch;
        channel.epochJson = JSON.stringify(position.epoch);
      }
      if (!conn.open || channel.pending.get(conn) !== pending) {
        // Closed or unsubscribed while joining: leave() may have run before this join's
        // presence existed. Unless a newer subscribe of the same connection owns it now, take
        // it back, or it would outlive the connection.
        const owned = conn.open && conn.subscriptions?.has(key);
        if (!owned && channel.present.delete(conn))
          await this.broker.presenceLeave(key, conn.id).catch(() => {});
        return;
      }
      conn.send(subscribedFrame(requestId, topic, params, key, position, recovered, members));
      let last = position.offset;
      const epochJson = JSON.stringify(position.epoch);
      for (const message of replay) {
        conn.send(messageFrame(channel.keyJson, epochJson, message.offset, message.payload));
        last = message.offset ?? last;
      }
      for (const item of pending.buffer) {
        if (item.offset !== undefined && item.offset <= last) continue;
        conn.send(item.frame, item.volatile);
        last = item.offset ?? last;
      }
      channel.pending.delete(conn);
      channel.live.add(conn);
    } catch (error) {
      channel.pending.delete(conn);
      subs.delete(key);
      if (channel.present.delete(conn)) await this.broker.presenceLeave(key, conn.id).catch(() => {});
      await this.detachIfIdle(channel);
      throw error;
    }
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

  private async leave(conn: Connection, key: string): Promise<void> {
    conn.subscriptions?.delete(key);
    const channel = this.channels.get(key);
    if (!channel) return;
    channel.live.delete(conn);
    channel.pending.delete(conn);
    if (channel.present.delete(conn)) await this.guard(this.broker.presenceLeave(key, conn.id));
    await this.detachIfIdle(channel);
  }

  private async detachIfIdle(channel: LocalChannel): Promise<void> {
    if (channel.live.size > 0 || channel.pending.size > 0 || this.channels.get(channel.key) !== channel)
      return;
    this.channels.delete(channel.key);
    await this.broker
      .unsubscribe(channel.key)
      .catch((error) => this.rt.logger.warn('broker unsubscribe failed', { channel: channel.key, error }));
  }

  /**
   * Messages up to `to` cannot be delivered: every live subscriber gets a fresh `subscribed`
   * with `recovered: false` (its client emits `recovered(false)` and resyncs); pending ones
   * will read the position themselves.
   */
  private lost(channel: LocalChannel, to: TopicPosition): void {
    this.rt.logger.warn('topic history lost', { channel: channel.key, epoch: to.epoch, offset: to.offset });
    if (channel.epoch !== to.epoch) {
      channel.epoch = to.epoch;
      channel.epochJson = JSON.stringify(to.epoch);
    }
    const params = channelParams(channel.key);
    const frame = subscribedFrame(undefined, channel.topic, params, channel.key, to, false, undefined);
    for (const conn of channel.live) conn.send(frame);
  }

  /** Turns one broker event into one frame and hands it to every local subscriber. */
  private deliver(key: string, event: BrokerEvent): void {
    const channel = this.channels.get(key);
    if (!channel) return;
    if (event.kind === 'gap') return this.lost(channel, event.to);
    let frame: string;
    let offset: number | undefined;
    let volatile: boolean;
    if (event.kind === 'message') {
      if (event.epoch !== channel.epoch) {
        // History was lost under the subscribers' feet: tell them before the new epoch's messages.
        if (channel.epoch !== '' && event.offset !== undefined)
          this.lost(channel, { epoch: event.epoch, offset: event.offset - 1 });
        channel.epoch = event.epoch;
        channel.epochJson = JSON.stringify(event.epoch);
      }
      frame = messageFrame(channel.keyJson, channel.epochJson, event.offset, event.payload);
      offset = event.offset;
      volatile = event.offset === undefined;
    } else {
      frame = presenceFrame(channel.keyJson, event.type, event.member);
      offset = undefined;
      volatile = false;
    }
    for (const conn of channel.live) conn.send(frame, volatile);
    if (channel.pending.size > 0) {
      for (const pending of channel.pending.values()) pending.buffer.push({ frame, offset, volatile });
    }
  }
}

/** Where a publish landed. */
export interface TopicPositionReply {
  /** The channel's epoch. */
  epoch: string;
  /** Absent for volatile messages. */
  offset?: number;
}

/** The params encoded in a channel key (`topic:{json}`), as the client needs them to resubscribe. */
function channelParams(key: string): unknown {
  const colon = key.indexOf(':');
  return colon === -1 ? undefined : JSON.parse(key.slice(colon + 1));
}

function member(conn: Connection, state: EncodedPayload): BrokerMember {
  return { conn: conn.id, user: conn.user, state };
}

function memberJson(m: BrokerMember): string {
  const user = m.user === undefined ? '' : `,"user":${JSON.stringify(m.user)}`;
  return `{"conn":${JSON.stringify(m.conn)}${user}${payloadFields(m.state)}}`;
}

function presenceFrame(keyJson: string, type: string, m: BrokerMember): string {
  return `{"t":"presence","c":${keyJson},"ev":"${type}","member":${memberJson(m)}}`;
}

function subscribedFrame(
  id: number | undefined,
  topic: string,
  params: unknown,
  key: string,
  position: TopicPosition,
  recovered: boolean,
  members: BrokerMember[] | undefined,
): string {
  const idPart = id === undefined ? '' : `"id":${id},`;
  const paramsPart = params === undefined ? '' : `,"params":${JSON.stringify(params)}`;
  const presence = members === undefined ? '' : `,"presence":[${members.map(memberJson).join(',')}]`;
  return `{"t":"subscribed",${idPart}"topic":${JSON.stringify(topic)}${paramsPart},"c":${JSON.stringify(key)},"epoch":${JSON.stringify(position.epoch)},"offset":${position.offset},"recovered":${recovered}${presence}}`;
}
