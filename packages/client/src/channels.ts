/**
 * The client's subscriptions, by channel and by pending `sub` request: subscribing and
 * resubscribing from the last position after every reconnect, confirmations (including
 * joins the server made itself), presence updates, unsubscribing, and publishing.
 */
import { type Codec, SockkitError, type WireError } from '@sockkit/core';
import {
  psetFrame,
  pubFrame,
  type ServerMessage,
  subFrame,
  unsubFrame,
  WIRE_BOUNDS,
} from '@sockkit/core/protocol';
import type { ConnectionState, PublishOptions, SubscribeOptions } from './options.js';
import type { Requests } from './requests.js';
import { Subscription, type SubscriptionHost } from './subscriptions.js';

type AnySubscription = Subscription<unknown, unknown>;

/** What the registry needs from the client. */
export interface ChannelsHost {
  readonly state: ConnectionState;
  send(frame: string): void;
  nextId(): number;
  /** The server subscribed this connection to a channel. */
  joined(sub: AnySubscription): void;
}

/** Live subscriptions of one client. */
export class Channels implements SubscriptionHost {
  readonly #subs = new Set<AnySubscription>();
  readonly #byChannel = new Map<string, AnySubscription>();
  readonly #byRequest = new Map<number, AnySubscription>();

  readonly #host: ChannelsHost;
  readonly #requests: Requests;
  readonly #codec: Codec;

  constructor(host: ChannelsHost, requests: Requests, codec: Codec) {
    this.#host = host;
    this.#requests = requests;
    this.#codec = codec;
  }

  /** Every live subscription. */
  all(): AnySubscription[] {
    return [...this.#subs];
  }

  /** The subscription of channel `key`, if any. */
  get(key: string): AnySubscription | undefined {
    return this.#byChannel.get(key);
  }

  /** A new subscription; sent now when connected, else on connect. */
  add(
    topic: string,
    params: unknown,
    handler: ((message: unknown, info: unknown) => void) | undefined,
    options: SubscribeOptions<unknown>,
  ): AnySubscription {
    const { history } = options;
    if (
      history !== undefined &&
      !(Number.isSafeInteger(history) && history >= 0 && history <= WIRE_BOUNDS.history)
    )
      throw new TypeError(
        `sockkit: history must be an integer from 0 to ${WIRE_BOUNDS.history} (got ${history})`,
      );
    const sub = new Subscription<unknown, unknown>(topic, params, this, options);
    if (handler) sub.on('message', handler);
    if (this.#host.state === 'closed') {
      sub.end(new SockkitError('UNAVAILABLE', 'client is closed'));
      return sub;
    }
    this.#subs.add(sub);
    if (options.signal) {
      if (options.signal.aborted) sub.unsubscribe();
      else options.signal.addEventListener('abort', () => sub.unsubscribe(), { once: true });
    }
    if (this.#host.state !== 'open') return sub;
    // Subscribed again to a channel whose subscription ended before its confirmation: the
    // server still holds that one and would refuse a second `sub` (CONFLICT), so this one
    // takes over the request in flight.
    const json = JSON.stringify(params);
    for (const [id, old] of this.#byRequest) {
      // Same channel, no resume position, and presence joined or not alike (the server has
      // no way to drop a joined presence short of unsubscribing: that case stays a CONFLICT).
      const alike = (old.subscribedPresence === undefined) === (sub.presenceState === undefined);
      if (old.ended && !old.position && alike && old.topic === topic && JSON.stringify(old.params) === json) {
        this.#byRequest.set(id, sub);
        sub.requestId = id;
        sub.subscribedPresence = old.subscribedPresence;
        return sub;
      }
    }
    this.#subscribe(sub);
    return sub;
  }

  /** Publishes `message` to the channel of `topic` named by `params`. */
  publish(topic: string, params: unknown, message: unknown, options: PublishOptions = {}): Promise<unknown> {
    const id = this.#host.nextId();
    let frame: string;
    try {
      frame = pubFrame(id, topic, params, this.#codec.encode(message), options.volatile === true);
    } catch (error) {
      return Promise.reject(
        new SockkitError('BAD_REQUEST', `message to ${topic} cannot be encoded`, { cause: error }),
      );
    }
    return this.#requests.track(id, frame, `publish to ${topic}`, options);
  }

  /** Connected: (re)subscribes everything, each from its last position, with its presence. */
  resubscribeAll(): void {
    for (const sub of this.#subs) this.#subscribe(sub);
  }

  /** The link dropped: requests in flight are void (everything is re-sent on connect). */
  linkLost(): void {
    this.#byRequest.clear();
  }

  /** The client closed: every subscription ends with `error`. */
  endAll(error: SockkitError): void {
    for (const sub of [...this.#subs]) sub.end(error);
    this.#subs.clear();
    this.#byChannel.clear();
  }

  /** An error answered request `id`; true when it was a `sub` (the subscription fails). */
  refused(id: number, error: SockkitError): boolean {
    const sub = this.#byRequest.get(id);
    if (!sub) return false;
    this.#byRequest.delete(id);
    this.#forget(sub);
    sub.fail(error);
    return true;
  }

  /** The server confirmed a subscribe, or subscribed this connection itself. */
  confirmed(message: Extract<ServerMessage, { t: 'subscribed' }>): void {
    const position = { epoch: message.epoch, offset: message.offset };
    let sub = message.id === undefined ? undefined : this.#byRequest.get(message.id);
    if (sub) {
      this.#byRequest.delete(message.id!);
      if (sub.ended) {
        // Unsubscribed while the request was in flight.
        this.#unsubscribeChannel(message.c);
        return;
      }
    } else {
      sub = this.#byChannel.get(message.c);
      if (!sub) {
        sub = new Subscription<unknown, unknown>(message.topic, message.params, this);
        this.#subs.add(sub);
        this.#byChannel.set(message.c, sub);
        sub.confirmed(message.c, position, message.recovered, message.presence);
        this.#host.joined(sub);
        return;
      }
    }
    this.#byChannel.set(message.c, sub);
    sub.confirmed(message.c, position, message.recovered, message.presence);
    // Presence set while the request was in flight (or by a listener just now) is not on the
    // server yet: the request carried the state of when it was sent.
    // If the link drops meanwhile, the resubscribe carries the state instead.
    if (sub.presenceState !== sub.subscribedPresence)
      this.sendPresence(sub, sub.presenceState).catch(() => {});
  }

  /** The server ended a subscription. */
  ended(message: Extract<ServerMessage, { t: 'unsubscribed' }>): void {
    const sub = this.#byChannel.get(message.c);
    if (!sub) return;
    this.#forget(sub);
    if (message.e) sub.fail(SockkitError.fromWire(message.e as WireError));
    else sub.end();
  }

  sendUnsubscribe(sub: AnySubscription): void {
    this.#forget(sub);
    if (sub.channel !== undefined && this.#host.state === 'open') this.#unsubscribeChannel(sub.channel);
  }

  async sendPresence(sub: AnySubscription, state: unknown): Promise<void> {
    // Not confirmed, or offline: the state goes with the next (re)subscribe.
    const inFlight = sub.requestId !== undefined && this.#byRequest.has(sub.requestId);
    if (sub.channel === undefined || this.#host.state !== 'open' || inFlight) return;
    const id = this.#host.nextId();
    await this.#requests.track(id, psetFrame(id, sub.channel, this.#codec.encode(state)), 'presence', {});
  }

  decode(json: unknown, meta: unknown): unknown {
    return this.#codec.decode(json, meta);
  }

  #subscribe(sub: AnySubscription): void {
    const id = this.#host.nextId();
    sub.requestId = id;
    sub.subscribedPresence = sub.presenceState;
    this.#byRequest.set(id, sub);
    const presence = sub.presenceState === undefined ? undefined : this.#codec.encode(sub.presenceState);
    this.#host.send(subFrame(id, sub.topic, sub.params, sub.position, presence, sub.history));
  }

  #unsubscribeChannel(channel: string): void {
    const id = this.#host.nextId();
    this.#requests.track(id, unsubFrame(id, channel), 'unsubscribe', {}).catch(() => {});
  }

  #forget(sub: AnySubscription): void {
    this.#subs.delete(sub);
    if (sub.channel !== undefined && this.#byChannel.get(sub.channel) === sub)
      this.#byChannel.delete(sub.channel);
  }
}
