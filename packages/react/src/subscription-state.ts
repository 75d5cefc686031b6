/**
 * One subscription mirrored into a store: its latest message, readiness, recovery, refusal and
 * presence, for as long as it is followed. Nothing here is React's: `useSubscription` follows
 * one per channel from an effect and stops it in the cleanup; hooks on the same channel share
 * the client subscription underneath, each with a store of its own.
 */
import type { MessageInfo, Subscription } from '@sockkit/client';
import { type ShareableClient, type SubscriptionShare, shareSubscription } from '@sockkit/client/shared';
import type { PresenceMember, SockkitError } from '@sockkit/core';
import { toSockkitError } from './errors.js';
import { createStore, type Store } from './store.js';

/** A snapshot of a topic subscription. */
export interface SubscriptionState<Message, State> {
  /** The latest message received (kept across a change of params until a new one comes). */
  readonly last: Message | undefined;
  /** Whether the server has confirmed the current subscription. */
  readonly ready: boolean;
  /** Whether the last join resumed without a gap (`undefined` until known). */
  readonly recovered: boolean | undefined;
  /**
   * Why the subscription was refused, or a presence update failed (CONFLICT when another hook
   * on the channel owns its presence).
   */
  readonly error: SockkitError | undefined;
  /** Members present on the channel (empty for topics without presence). */
  readonly members: readonly PresenceMember<State>[];
  /** The client's subscription while one is active. */
  readonly subscription: Subscription<Message, State> | undefined;
}

/** Where a followed subscription reports what the store does not hold. */
export interface SubscriptionHandlers<Message> {
  /** Every message, in order. */
  onMessage?: ((message: Message, info: MessageInfo) => void) | undefined;
  /** After every (re)join: whether missed history was replayed without a gap. */
  onRecovered?: ((recovered: boolean) => void) | undefined;
}

/** A store for one hook's subscriptions, starting empty. */
export function subscriptionStore<Message, State>(): Store<SubscriptionState<Message, State>> {
  return createStore<SubscriptionState<Message, State>>({
    last: undefined,
    ready: false,
    recovered: undefined,
    error: undefined,
    members: [],
    subscription: undefined,
  });
}

/** What `followSubscription` opens: the hook's topic and params, and its subscribe options. */
export interface FollowTarget<StateInput> {
  /** The client (any object with the client's `subscribe`). */
  readonly client: ShareableClient;
  /** The topic. */
  readonly topic: string;
  /** The params as given. */
  readonly params: unknown;
  /** The presence this hook joins with (it becomes the channel's presence owner). */
  readonly presence: StateInput | undefined;
  /** Past messages wanted first. */
  readonly history: number | undefined;
}

/** A followed subscription: its share (for presence updates) and the stop. */
export interface Following<Message, State> {
  /** This hook's hold on the shared subscription. */
  readonly share: SubscriptionShare<Subscription<Message, State>, State>;
  /** Stops mirroring and releases the share; nothing of it reaches the store after. */
  stop(): void;
}

/**
 * Holds the client subscription to `target`, shared with every other hook on the same client,
 * topic and params (see `@sockkit/client/shared`), and mirrors it into `store`, calling
 * `handlers()`'s current callbacks (read on each event, so a new callback never needs a new
 * subscription). Returns `undefined`, with the error in the store, when the share was refused
 * (another hook owns the channel's presence).
 */
export function followSubscription<Message, State>(
  target: FollowTarget<State>,
  store: Store<SubscriptionState<Message, State>>,
  handlers: () => SubscriptionHandlers<Message>,
): Following<Message, State> | undefined {
  let stopped = false;
  let share: SubscriptionShare<Subscription<Message, State>, State>;
  try {
    share = shareSubscription<Subscription<Message, State>, Message, State>(
      target.client,
      target.topic,
      target.params,
      {
        presence: target.presence,
        history: target.history,
        onMessage: (message, info) => {
          store.update({ last: message });
          handlers().onMessage?.(message, info);
        },
      },
    );
  } catch (thrown) {
    store.update({ error: toSockkitError(thrown) });
    return undefined;
  }
  const sub = share.subscription;
  store.update({ subscription: sub, error: undefined });
  share.joined.catch((thrown: unknown) => {
    if (!stopped) store.update({ error: toSockkitError(thrown) });
  });
  const offPresence = sub.on('presence', (members) => {
    store.update({ members: [...members.values()] });
  });
  const offRecovered = sub.on('recovered', (ok) => {
    store.update({ recovered: ok });
    handlers().onRecovered?.(ok);
  });
  // A refusal, or the server ending the subscription with an error (before or after ready).
  const offError = sub.on('error', (error) => store.update({ error }));
  // Ended by the server (a kick) or by the client closing: nothing is live any more.
  const offEnd = sub.on('end', () => store.update({ subscription: undefined, ready: false, members: [] }));
  sub.ready.then(
    () => {
      // A hook that attached to a live subscription learns its recovery from it, not an event.
      if (!stopped)
        store.update({ ready: true, recovered: sub.recovered, members: [...sub.presence.values()] });
    },
    () => {}, // the error event said why
  );
  return {
    share,
    stop() {
      stopped = true;
      for (const off of [offPresence, offRecovered, offError, offEnd]) off();
      share.release();
      store.update({ subscription: undefined, ready: false, recovered: undefined, members: [] });
    },
  };
}
