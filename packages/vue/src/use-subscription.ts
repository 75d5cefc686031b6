/**
 * `useSubscription`: a topic channel bound to a component's lifetime. It subscribes when the
 * scope starts (or when `enabled` turns true), moves to the new channel when the params
 * change, and unsubscribes when the scope is disposed (the component unmounts). Scopes on the
 * same client, topic and params share one client subscription (`@sockkit/client/shared`): the
 * first subscribes, the last to let go unsubscribes, each keeps its own refs.
 */

import { type SubscriptionShare, shareSubscription } from '@sockkit/client/shared';
import type {
  ContractDef,
  PresenceMember,
  PresenceState,
  PresenceStateInput,
  SockkitError,
  TopicMessage,
  TopicParamsInput,
  Topics,
} from '@sockkit/core';
import { stableStringify } from '@sockkit/core/protocol';
import { type MaybeRefOrGetter, type Ref, ref, type ShallowRef, shallowRef, toValue, watch } from 'vue';
import type { SockkitClientLike, TopicName } from './client-shape.js';
import { toSockkitError } from './errors.js';
import { useSockkitClient } from './provide.js';
import type { MessageInfoLike, SubscriptionLike } from './subscription-shape.js';

/** Options of {@link useSubscription}. */
export interface UseSubscriptionOptions<Message, StateInput> {
  /** Called with every message, in order. */
  onMessage?: (message: Message, info: MessageInfoLike) => void;
  /** Called after every (re)join with whether the missed history was replayed without a gap. */
  onRecovered?: (recovered: boolean) => void;
  /**
   * This member's presence state. Sent when joining; when the value changes later it is
   * updated in place with `setPresence` (no re-subscribe). The connection is one member of a
   * channel, so of the scopes sharing a channel one may set presence: another gets CONFLICT
   * in its `error` (scopes without presence still see the members).
   */
  presence?: MaybeRefOrGetter<StateInput | undefined>;
  /** Subscribe only while this is true. Default `true`. */
  enabled?: MaybeRefOrGetter<boolean>;
  /**
   * Receive the last N messages of history before live ones (through `onMessage`), and again
   * after a resume that could not be served (`onRecovered(false)`): at most 1,000. A scope
   * joining a channel other scopes already subscribed to is replayed the last N messages the
   * shared subscription kept (as many as the largest `history` asked for on it).
   */
  history?: number;
  /** The client to use instead of the provided one. */
  client?: SockkitClientLike<ContractDef>;
}

/** What {@link useSubscription} returns. */
export interface UseSubscriptionReturn<Message, State, StateInput = State> {
  /** The latest message received. */
  readonly last: Readonly<ShallowRef<Message | undefined>>;
  /** Whether the server has confirmed the current subscription. */
  readonly ready: Readonly<Ref<boolean>>;
  /** Whether the last join resumed without a gap (`undefined` until known). */
  readonly recovered: Readonly<Ref<boolean | undefined>>;
  /**
   * Why the subscription was refused, or a presence update failed (CONFLICT when another scope
   * on the channel owns its presence).
   */
  readonly error: Readonly<ShallowRef<SockkitError | undefined>>;
  /** Members present on the channel (empty for topics without presence). */
  readonly members: Readonly<ShallowRef<PresenceMember<State>[]>>;
  /** The underlying subscription while one is active. */
  readonly subscription: Readonly<ShallowRef<SubscriptionLike<Message, State, StateInput> | undefined>>;
}

/**
 * Subscribes to one channel of a topic for as long as the calling scope lives.
 *
 * @example
 * ```ts
 * const doc = useSubscription('doc', () => ({ id: props.id }), {
 *   onMessage: (update) => apply(update),
 *   presence: () => ({ name: me.name, color: me.color }),
 * });
 * // doc.members.value: who else is here
 * ```
 */
export function useSubscription<C extends ContractDef, K extends TopicName<C>>(
  name: K,
  params: MaybeRefOrGetter<TopicParamsInput<Topics<C>[K]>>,
  options: UseSubscriptionOptions<TopicMessage<Topics<C>[K]>, PresenceStateInput<Topics<C>[K]>> = {},
): UseSubscriptionReturn<
  TopicMessage<Topics<C>[K]>,
  PresenceState<Topics<C>[K]>,
  PresenceStateInput<Topics<C>[K]>
> {
  type Message = TopicMessage<Topics<C>[K]>;
  type State = PresenceState<Topics<C>[K]>;
  type StateInput = PresenceStateInput<Topics<C>[K]>;
  type Sub = SubscriptionLike<Message, State, StateInput>;
  const client = (options.client as SockkitClientLike<C> | undefined) ?? useSockkitClient<C>();
  const last = shallowRef() as ShallowRef<Message | undefined>;
  const ready = ref(false);
  const recovered = ref<boolean | undefined>(undefined);
  const error = shallowRef<SockkitError | undefined>(undefined);
  const members = shallowRef<PresenceMember<State>[]>([]);
  const subscription = shallowRef<Sub | undefined>(undefined);

  // This scope's hold on the shared subscription, for presence updates.
  let share: SubscriptionShare<Sub, StateInput> | undefined;

  function open(value: TopicParamsInput<Topics<C>[K]>): () => void {
    const mine = shareSubscription<Sub, Message, StateInput>(client, name, value, {
      presence: toValue(options.presence),
      history: options.history,
      onMessage: (message, info) => {
        last.value = message;
        options.onMessage?.(message, info);
      },
    });
    share = mine;
    const sub = mine.subscription;
    subscription.value = sub;
    let closed = false;
    const fail = (thrown: unknown) => {
      if (!closed) error.value = toSockkitError(thrown);
    };
    mine.joined.catch(fail);
    const offPresence = sub.on('presence', (current) => {
      if (!closed) members.value = [...current.values()];
    });
    const offRecovered = sub.on('recovered', (ok) => {
      if (closed) return;
      recovered.value = ok;
      options.onRecovered?.(ok);
    });
    sub.ready.then(() => {
      if (closed) return;
      ready.value = true;
      // A scope that attached to a live subscription learns its recovery from it, not an event.
      recovered.value = sub.recovered;
      members.value = [...sub.presence.values()];
    }, fail);
    return () => {
      closed = true;
      offPresence();
      offRecovered();
      mine.release();
      if (share === mine) share = undefined;
      if (subscription.value === sub) subscription.value = undefined;
      ready.value = false;
      recovered.value = undefined;
      members.value = [];
    };
  }

  watch(
    () => {
      const enabled = options.enabled === undefined ? true : toValue(options.enabled);
      return enabled ? stableStringify(toValue(params) ?? null) : undefined;
    },
    (key, _previous, onCleanup) => {
      error.value = undefined;
      if (key === undefined) return;
      try {
        onCleanup(open(toValue(params)));
      } catch (thrown) {
        // Refused before anything was sent (another scope owns the channel's presence).
        error.value = toSockkitError(thrown);
      }
    },
    { immediate: true },
  );

  if (options.presence !== undefined) {
    watch(
      () => stableStringify(toValue(options.presence) ?? null),
      () => {
        const state = toValue(options.presence);
        if (state === undefined || share === undefined) return;
        share.setPresence(state).catch((thrown: unknown) => {
          error.value = toSockkitError(thrown);
        });
      },
    );
  }

  return { last, ready, recovered, error, members, subscription };
}
