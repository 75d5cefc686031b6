/**
 * `useSubscription`: a topic channel bound to a component. It subscribes after mount (or when
 * `enabled` turns true), moves to the new channel when the params change (compared by value:
 * a new object with the same content keeps the subscription), updates presence in place, and
 * unsubscribes on unmount. StrictMode's extra mount sends nothing (see defer.ts). Hooks on the
 * same client, topic and params share one client subscription (`@sockkit/client/shared`):
 * the first subscribes, the last to let go unsubscribes, each keeps its own state.
 */
import type {
  ContractDef,
  PresenceState,
  PresenceStateInput,
  TopicMessage,
  TopicParamsInput,
  Topics,
} from '@sockkit/core';
import { stableStringify } from '@sockkit/core/protocol';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ClientOrNull, TopicName } from './client-types.js';
import { useResolvedClient } from './context.js';
import { afterStrictRemount } from './defer.js';
import { toSockkitError } from './errors.js';
import {
  type Following,
  followSubscription,
  type SubscriptionHandlers,
  type SubscriptionState,
  subscriptionStore,
} from './subscription-state.js';

/** Options of {@link useSubscription}. */
export interface UseSubscriptionOptions<Message, StateInput, C extends ContractDef = ContractDef>
  extends SubscriptionHandlers<Message> {
  /**
   * This member's presence state: joined with, then updated in place with `setPresence` when
   * it changes (compared by value; no re-subscribe). The connection is one member of a
   * channel, so of the hooks sharing a channel one may set presence: another gets CONFLICT in
   * its `error` (hooks without presence still see the members).
   */
  presence?: StateInput | undefined;
  /** Subscribe only while this is true. Default `true`. */
  enabled?: boolean;
  /**
   * Receive the last N messages of history before live ones (through `onMessage` and `last`),
   * and again after a resume that could not be served (`onRecovered(false)`): at most 1,000.
   * A hook joining a channel other hooks already subscribed to is replayed the last N messages
   * the shared subscription kept (as many as the largest `history` asked for on it).
   */
  history?: number;
  /** The client to use instead of the provided one. */
  client?: ClientOrNull<C>;
}

/** What {@link useSubscription} returns: one snapshot of the subscription. */
export type UseSubscriptionReturn<Message, State> = SubscriptionState<Message, State>;

/**
 * Subscribes to one channel of a topic while the component is mounted.
 *
 * @example
 * ```tsx
 * const doc = useSubscription('doc', { id }, {
 *   onMessage: (update) => apply(update),
 *   presence: { name: me.name },
 * });
 * // doc.ready · doc.last · doc.members · doc.error?.code
 * ```
 */
export function useSubscription<C extends ContractDef, K extends TopicName<C>>(
  name: K,
  params: TopicParamsInput<Topics<C>[K]>,
  options: UseSubscriptionOptions<TopicMessage<Topics<C>[K]>, PresenceStateInput<Topics<C>[K]>, C> = {},
): UseSubscriptionReturn<TopicMessage<Topics<C>[K]>, PresenceState<Topics<C>[K]>> {
  type Message = TopicMessage<Topics<C>[K]>;
  type State = PresenceState<Topics<C>[K]>;
  const client = useResolvedClient(options.client);
  const [store] = useState(() => subscriptionStore<Message, State>());
  const snapshot = useSyncExternalStore(store.subscribe, store.get, () => store.initial);
  // Callbacks and presence as last committed: read when events arrive and when joining.
  const latest = useRef({ params, options });
  useEffect(() => {
    latest.current = { params, options };
  });

  const key = options.enabled !== false && client !== null ? stableStringify(params ?? null) : undefined;
  const { history } = options;
  // This hook's hold on the shared subscription, for presence updates.
  const following = useRef<Following<Message, State> | undefined>(undefined);
  useEffect(() => {
    if (key === undefined || client === null) return;
    return afterStrictRemount(() => {
      const { params, options } = latest.current;
      const target = {
        client,
        topic: name,
        params,
        presence: options.presence as State | undefined,
        history,
      };
      const follow = followSubscription(target, store, () => latest.current.options);
      if (follow === undefined) return undefined;
      following.current = follow;
      return () => {
        if (following.current === follow) following.current = undefined;
        follow.stop();
      };
    });
  }, [client, name, key, history, store]);

  const presenceKey = options.presence === undefined ? undefined : stableStringify(options.presence);
  useEffect(() => {
    const sub = snapshot.subscription;
    const share = following.current?.share;
    const state = latest.current.options.presence;
    if (presenceKey === undefined || sub === undefined || share?.subscription !== sub || state === undefined)
      return;
    // Joined with it already (as the owner: a follower's equal state is still not its own).
    if (share.ownsPresence && stableStringify(sub.presenceState ?? null) === presenceKey) return;
    share
      .setPresence(state as State)
      .catch((thrown: unknown) => store.update({ error: toSockkitError(thrown) }));
  }, [presenceKey, snapshot.subscription, store]);

  return snapshot;
}
