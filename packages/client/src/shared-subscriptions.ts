/**
 * `@sockkit/client/shared`: one client subscription shared by every UI hook on the same
 * client, topic and params (the server holds one subscription per channel per connection and
 * answers a second `sub` with CONFLICT). The first hook subscribes, later ones attach, the last
 * to release unsubscribes. `@sockkit/react` and `@sockkit/vue` both build on it; it works on
 * the shape of a client, not its class, so a test double fits too.
 *
 * - Messages fan out from here, so each hook sees each message once however many share.
 * - A hook attaching with `history: N` is replayed the last N messages (non-volatile, as the
 *   server's history) this entry kept: it keeps as many as the largest `history` any of its
 *   hooks asked for, from the moment that hook asked, at most `WIRE_BOUNDS.history`.
 * - The connection is one presence member of a channel, so one hook owns presence: a second
 *   hook with presence is refused with CONFLICT.
 */
import { SockkitError } from '@sockkit/core';
import { stableStringify, WIRE_BOUNDS } from '@sockkit/core/protocol';

/** Where a delivered message sits in its channel (the shape of the client's `MessageInfo`). */
export interface SharedMessageInfo {
  /** The channel key. */
  channel: string;
  /** The channel's epoch. */
  epoch: string;
  /** The message's offset in the channel's history; absent for volatile messages. */
  offset: number | undefined;
}

/** What sharing uses of a subscription: the client's `Subscription` has all of it. */
export interface ShareableSubscription<StateInput> {
  /** Whether it ended already (a closed client returns one that has). */
  readonly ended?: boolean;
  /** After each (re)join: whether the missed messages were replayed without a gap. */
  on(event: 'recovered', listener: (recovered: boolean) => void): () => void;
  /** The subscription ended (unsubscribed, refused, kicked or the client closed). */
  on(event: 'end', listener: () => void): () => void;
  /** Replaces this connection's presence state on the channel (joins it when absent). */
  setPresence(state: StateInput): Promise<void>;
  /** Leaves the channel. */
  unsubscribe(): void;
}

/** What sharing uses of a client: its subscribers, `subscribe[topic](params, onMessage, options)`. */
export interface ShareableClient {
  /** One subscriber per topic. */
  readonly subscribe: object;
}

/** One hook's part in a shared subscription. */
export interface ShareRequest<Message, StateInput> {
  /** This hook's presence state: it becomes the channel's presence owner. */
  presence?: StateInput | undefined;
  /** How many past messages this hook wants first (see the module's notes on replay). */
  history?: number | undefined;
  /** This hook's listener: every message once, replayed history first. */
  onMessage(message: Message, info: SharedMessageInfo): void;
}

/** A hook's hold on a shared subscription, from {@link shareSubscription}. */
export interface SubscriptionShare<Sub, StateInput> {
  /** The client subscription every hook on the channel shares. */
  readonly subscription: Sub;
  /**
   * Settles when this hook's presence is on the channel: it rejects if the join it made on an
   * already-live subscription failed; at once when there was nothing to join.
   */
  readonly joined: Promise<void>;
  /** Whether this hook owns the channel's presence. */
  readonly ownsPresence: boolean;
  /**
   * Sets presence in place, taking ownership when no other hook holds it; rejects with
   * CONFLICT when one does.
   */
  setPresence(state: StateInput): Promise<void>;
  /** Lets go (once; later calls do nothing): the last hook to release unsubscribes. */
  release(): void;
}

type Delivery = [message: unknown, info: SharedMessageInfo];

interface Holder {
  onMessage(message: unknown, info: SharedMessageInfo): void;
  /** Messages waiting behind this holder's replay; `undefined` once it is delivered to directly. */
  queue: Delivery[] | undefined;
  released: boolean;
}

interface Entry {
  readonly sub: ShareableSubscription<unknown>;
  readonly holders: Set<Holder>;
  owner: Holder | undefined;
  /** The latest non-volatile messages, at most `keep`. */
  kept: Delivery[];
  keep: number;
  /** Removes the entry's own listeners from `sub`. */
  detach(): void;
}

type Subscriber = (
  params: unknown,
  onMessage: (message: unknown, info: SharedMessageInfo) => void,
  options: { presence?: unknown; history?: number },
) => ShareableSubscription<unknown>;

/** Live entries per client object, by topic and params; a dropped client takes its map along. */
const registry = new WeakMap<object, Map<string, Entry>>();

/**
 * Holds the client's subscription to `topic` with `params` (compared by value, as
 * `stableStringify` writes them) for one hook: subscribes when no hook on this client holds
 * it, attaches otherwise. Throws `SockkitError('CONFLICT')` when the hook asks for presence
 * and another hook on the channel owns it (a binding reports it in the hook's error state).
 */
export function shareSubscription<Sub extends ShareableSubscription<StateInput>, Message, StateInput>(
  client: ShareableClient,
  topic: string,
  params: unknown,
  request: ShareRequest<Message, StateInput>,
): SubscriptionShare<Sub, StateInput> {
  let entries = registry.get(client);
  if (!entries) {
    entries = new Map();
    registry.set(client, entries);
  }
  const channel = stableStringify(params ?? null);
  // JSON escapes control characters, so no params text holds the separator.
  const key = `${topic}\u0000${channel}`;
  const { presence } = request;
  const want = Math.min(Math.max(request.history ?? 0, 0), WIRE_BOUNDS.history);
  const holder: Holder = {
    onMessage: request.onMessage as Holder['onMessage'],
    queue: undefined,
    released: false,
  };
  let entry = entries.get(key);
  let joined: Promise<void> = Promise.resolve();
  if (entry) {
    if (presence !== undefined) {
      if (entry.owner) throw conflict(topic, channel);
      entry.owner = holder;
      joined = entry.sub.setPresence(presence);
    }
    const replay = want > 0 ? entry.kept.slice(-want) : [];
    if (replay.length > 0) {
      // Delivered a microtask later, never inside the caller (a Vue setup, a React effect),
      // with whatever arrives meanwhile queued behind it: each message once, in order.
      holder.queue = replay;
      queueMicrotask(() => {
        const queued = holder.queue ?? [];
        holder.queue = undefined;
        if (!holder.released) for (const [message, info] of queued) deliver(holder, message, info);
      });
    }
  } else {
    // The client's namespace has a subscriber for any name (the server refuses unknown ones).
    const subscribe = (client.subscribe as Record<string, Subscriber>)[topic]!;
    const options: { presence?: unknown; history?: number } = {};
    if (presence !== undefined) options.presence = presence;
    if (request.history !== undefined) options.history = request.history;
    const created: Entry = {
      sub: subscribe(params, (message, info) => fanOut(created, message, info), options),
      holders: new Set(),
      owner: presence === undefined ? undefined : holder,
      kept: [],
      keep: 0,
      detach: () => {
        offRecovered();
        offEnd();
      },
    };
    entry = created;
    // A resume that could not be served replays history afresh: what was kept is stale.
    const offRecovered = created.sub.on('recovered', (ok) => {
      if (!ok) created.kept = [];
    });
    const offEnd = created.sub.on('end', () => {
      if (entries.get(key) === created) entries.delete(key);
      created.detach();
    });
    if (created.sub.ended !== true) entries.set(key, created);
  }
  const shared = entry;
  shared.keep = Math.max(shared.keep, want);
  shared.holders.add(holder);
  return {
    subscription: shared.sub as Sub,
    joined,
    get ownsPresence() {
      return shared.owner === holder;
    },
    setPresence(state) {
      if (shared.owner && shared.owner !== holder) return Promise.reject(conflict(topic, channel));
      shared.owner = holder;
      return shared.sub.setPresence(state);
    },
    release() {
      if (holder.released) return;
      holder.released = true;
      shared.holders.delete(holder);
      if (shared.owner === holder) shared.owner = undefined;
      if (shared.holders.size > 0) return;
      if (entries.get(key) === shared) entries.delete(key);
      shared.detach();
      shared.sub.unsubscribe();
    },
  };
}

function fanOut(entry: Entry, message: unknown, info: SharedMessageInfo): void {
  if (info.offset !== undefined && entry.keep > 0) {
    entry.kept.push([message, info]);
    if (entry.kept.length > entry.keep) entry.kept.shift();
  }
  // A copy: a hook attaching from a listener gets this message from its replay, not twice.
  for (const holder of [...entry.holders]) {
    if (holder.released) continue;
    if (holder.queue) holder.queue.push([message, info]);
    else deliver(holder, message, info);
  }
}

/** One hook's listener; a throw reaches the console without keeping the message from others. */
function deliver(holder: Holder, message: unknown, info: SharedMessageInfo): void {
  try {
    holder.onMessage(message, info);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function conflict(topic: string, params: string): SockkitError {
  return new SockkitError(
    'CONFLICT',
    `${topic} ${params}: one hook per channel may set presence (the connection is one member); drop it from the others`,
  );
}
