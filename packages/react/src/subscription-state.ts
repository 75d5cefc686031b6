/**
 * One subscription mirrored into a store: its latest message, readiness, recovery, refusal and
 * presence, for as long as it is followed. Nothing here is React's: `useSubscription` opens
 * one per channel from an effect and stops it in the cleanup.
 */
import type { MessageInfo, Subscription } from '@sockkit/client';
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
  /** Why the subscription was refused, or a presence update failed. */
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

/**
 * Mirrors `sub` into `store` and calls `handlers()`'s current callbacks (read on each event,
 * so a new callback never needs a new subscription). Returns the stop: it unsubscribes, and
 * nothing of `sub` reaches the store after it.
 */
export function followSubscription<Message, State>(
  sub: Subscription<Message, State>,
  store: Store<SubscriptionState<Message, State>>,
  handlers: () => SubscriptionHandlers<Message>,
): () => void {
  let stopped = false;
  store.update({ subscription: sub, error: undefined });
  const offMessage = sub.on('message', (message, info) => {
    store.update({ last: message });
    handlers().onMessage?.(message, info);
  });
  const offPresence = sub.on('presence', (members) => {
    store.update({ members: [...members.values()] });
  });
  const offRecovered = sub.on('recovered', (ok) => {
    store.update({ recovered: ok });
    handlers().onRecovered?.(ok);
  });
  sub.ready.then(
    () => {
      if (!stopped) store.update({ ready: true, members: [...sub.presence.values()] });
    },
    (thrown: unknown) => {
      if (!stopped) store.update({ error: toSockkitError(thrown) });
    },
  );
  return () => {
    stopped = true;
    offMessage();
    offPresence();
    offRecovered();
    sub.unsubscribe();
    store.update({ subscription: undefined, ready: false, recovered: undefined, members: [] });
  };
}
