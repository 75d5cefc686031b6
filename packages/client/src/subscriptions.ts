/**
 * One subscription to a channel: its position (epoch and last offset seen), its message
 * handlers and async iterators, its presence view and its `recovered` flag. The client
 * re-sends it after every reconnect from its last position.
 */
import { type PresenceMember, SockkitError, type TopicPosition } from '@sockkit/core';
import { applyPresence, Emitter, resetPresence, type WireMember } from '@sockkit/core/protocol';

/** Where a delivered message sits in its channel. */
export interface MessageInfo {
  /** The channel key, e.g. `doc:{"id":"a"}`. */
  channel: string;
  /** The channel's epoch (a new one means history was lost). */
  epoch: string;
  /** Absent for volatile messages. */
  offset: number | undefined;
}

/** A message yielded by a subscription's async iterator. */
export interface SubscriptionItem<M> extends MessageInfo {
  /** The decoded message. */
  message: M;
}

/** Events of a subscription. */
export type SubscriptionEvents<M, S> = {
  message: [message: M, info: MessageInfo];
  /**
   * After each (re)subscribe: `true` when every missed message was replayed, `false` when
   * history no longer reached back (or the epoch changed) and the app should resync.
   */
  recovered: [recovered: boolean];
  presence: [
    members: ReadonlyMap<string, PresenceMember<S>>,
    change: { type: 'join' | 'update' | 'leave' | 'sync'; member?: PresenceMember<S> },
  ];
  error: [error: SockkitError];
  end: [];
};

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  sendUnsubscribe(sub: Subscription<unknown, unknown>): void;
  sendPresence(sub: Subscription<unknown, unknown>, state: unknown): Promise<void>;
  decode(json: unknown, meta: unknown): unknown;
}

type State = 'pending' | 'active' | 'ended';

/** A live subscription to one channel. */
export class Subscription<M, S = never>
  extends Emitter<SubscriptionEvents<M, S>>
  implements AsyncIterable<SubscriptionItem<M>>
{
  /** The channel key, known once the server confirmed. */
  channel: string | undefined;
  /** Last position seen; the resume point after a reconnect. */
  position: TopicPosition | undefined;
  /** Result of the last (re)subscribe; see the `recovered` event. */
  recovered = true;
  /** Members present on the channel (when the topic has presence). */
  readonly presence = new Map<string, PresenceMember<S>>();
  /** Resolves when the server confirmed the first subscribe; rejects if it refused. */
  readonly ready: Promise<void>;
  /** Presence state to (re)join with. */
  presenceState: unknown;
  /** @internal The presence state the last `sub` request carried. */
  subscribedPresence: unknown;
  /** @internal Id of the `sub` request awaiting `subscribed`. */
  requestId: number | undefined;

  /** @internal How many messages of history to ask for on every (re)subscribe. */
  readonly history: number | undefined;
  /** Most messages an async iterator holds for a loop that has not taken them yet. */
  private readonly maxBuffered: number;
  private state: State = 'pending';
  private settleReady!: (error?: SockkitError) => void;
  private readonly iterators = new Set<IteratorQueue<SubscriptionItem<M>>>();

  constructor(
    /** The topic name. */
    readonly topic: string,
    /** The params as given (re-sent on resubscribe). */
    readonly params: unknown,
    private readonly host: SubscriptionHost,
    options: { presence?: unknown; maxBuffered?: number | undefined; history?: number | undefined } = {},
  ) {
    super();
    this.presenceState = options.presence;
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    this.history = options.history;
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => {});
  }

  /** Whether the subscription ended (unsubscribed, refused or closed). */
  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Stops the subscription; iterators finish. */
  unsubscribe(): void {
    if (this.state === 'ended') return;
    this.host.sendUnsubscribe(this as Subscription<unknown, unknown>);
    this.end();
  }

  /** Sets this connection's presence state on the channel (also restored after reconnects). */
  setPresence(state: S): Promise<void> {
    this.presenceState = state;
    return this.host.sendPresence(this as Subscription<unknown, unknown>, state);
  }

  /** @internal The server confirmed a (re)subscribe. */
  confirmed(
    channel: string,
    position: TopicPosition,
    recovered: boolean,
    members: WireMember[] | undefined,
  ): void {
    const first = this.state === 'pending';
    this.channel = channel;
    // Within an epoch offsets only grow: a confirmation behind what the app already saw (a
    // server's mistake) must not let those offsets through a second time.
    const seen = this.position;
    this.position = seen?.epoch === position.epoch && seen.offset > position.offset ? seen : position;
    this.recovered = recovered;
    this.state = 'active';
    if (members) {
      resetPresence(
        this.presence,
        members.map((m) => this.member(m)),
      );
      this.emit('presence', this.presence, { type: 'sync' });
    }
    if (first) this.settleReady();
    this.emit('recovered', recovered);
  }

  /** @internal A message of this channel arrived; duplicates (offset already seen) are dropped. */
  deliver(epoch: string, offset: number | undefined, json: unknown, meta: unknown): void {
    if (this.state !== 'active') return;
    if (offset !== undefined) {
      const last = this.position;
      if (last && last.epoch === epoch && offset <= last.offset) return;
      this.position = { epoch, offset };
    }
    const message = this.host.decode(json, meta) as M;
    const info: MessageInfo = { channel: this.channel!, epoch, offset };
    this.emit('message', message, info);
    if (this.iterators.size > 0) {
      for (const queue of this.iterators) queue.push({ message, ...info });
    }
  }

  /** @internal A presence change arrived. */
  presenceEvent(type: 'join' | 'update' | 'leave', wire: WireMember): void {
    const member = this.member(wire);
    applyPresence(this.presence, { type, member });
    this.emit('presence', this.presence, { type, member });
  }

  /** @internal The server refused or ended the subscription. */
  fail(error: SockkitError): void {
    if (this.state === 'pending') this.settleReady(error);
    this.emit('error', error);
    this.end(error);
  }

  /** @internal Ends locally without telling the server. */
  end(error?: SockkitError): void {
    if (this.state === 'ended') return;
    if (this.state === 'pending')
      this.settleReady(error ?? new SockkitError('CANCELLED', 'unsubscribed before confirmed'));
    this.state = 'ended';
    for (const queue of this.iterators) queue.finish(error);
    this.iterators.clear();
    this.emit('end');
  }

  /**
   * Iterates messages until the subscription ends; `break` unsubscribes when nothing else
   * listens. A loop that falls more than `maxBuffered` messages behind (default 10,000) ends
   * with LIMIT_EXCEEDED rather than letting its queue grow without bound.
   */
  [Symbol.asyncIterator](): AsyncIterator<SubscriptionItem<M>> {
    const queue = new IteratorQueue<SubscriptionItem<M>>(this.maxBuffered, () => {
      this.iterators.delete(queue);
      if (this.iterators.size === 0 && !this.listens('message')) this.unsubscribe();
    });
    if (this.state === 'ended') queue.finish();
    else this.iterators.add(queue);
    return queue;
  }

  private member(wire: WireMember): PresenceMember<S> {
    const m: PresenceMember<S> = { conn: wire.conn, state: this.host.decode(wire.d, wire.m) as S };
    if (wire.user !== undefined) m.user = wire.user;
    return m;
  }
}

const DEFAULT_MAX_BUFFERED = 10_000;

/**
 * An async iterator fed by pushes; `return()` (a `break` in for-await) calls `onReturn`, and
 * so does an overflow of its queue, which ends it with LIMIT_EXCEEDED.
 */
class IteratorQueue<T> implements AsyncIterator<T> {
  #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #failWaiting: ((error: unknown) => void) | undefined;
  #done = false;
  #error: SockkitError | undefined;

  readonly #max: number;
  readonly #onReturn: () => void;

  constructor(max: number, onReturn: () => void) {
    this.#max = max;
    this.#onReturn = onReturn;
  }

  push(item: T): void {
    if (this.#done) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = this.#failWaiting = undefined;
      resolve({ value: item, done: false });
    } else if (this.#items.length < this.#max) {
      this.#items.push(item);
    } else {
      this.finish(
        new SockkitError('LIMIT_EXCEEDED', `the loop fell more than ${this.#max} messages behind`, {
          details: { limit: this.#max },
        }),
      );
      this.#onReturn();
    }
  }

  finish(error?: SockkitError): void {
    // Nothing is yielded after the subscription ended, even if it was already queued.
    this.#items = [];
    this.#done = true;
    // An unsubscribe ends iteration cleanly; a refusal or server-side end throws in the loop.
    this.#error = error && error.code !== 'CANCELLED' ? error : undefined;
    if (this.#waiting) {
      const resolve = this.#waiting;
      const reject = this.#failWaiting!;
      this.#waiting = this.#failWaiting = undefined;
      if (this.#error) reject(this.#error);
      else resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#done)
      return this.#error ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#items = [];
    if (!this.#done) {
      this.#done = true;
      this.#onReturn();
    }
    return Promise.resolve({ value: undefined, done: true });
  }
}
