/**
 * `usePresence`: who is on a channel, derived from a {@link useSubscription} result, grouped
 * by user (one person with two tabs is one user with two connections).
 */
import { type PresenceMember, presenceByUser } from '@sockkit/core';
import { type ComputedRef, computed } from 'vue';
import { toSockkitError } from './errors.js';
import type { UseSubscriptionReturn } from './use-subscription.js';

/** One person on the channel and the connections they are present with. */
export interface PresentUser<State> {
  /** The server's user key, or `conn:<id>` for connections without one. */
  key: string;
  /** The state of their most recent connection. */
  state: State;
  /** Each connection the user is present with (one per tab or device). */
  connections: PresenceMember<State>[];
}

/** What {@link usePresence} returns. */
export interface UsePresenceReturn<State, StateInput> {
  /** Every present connection. */
  readonly members: ComputedRef<PresenceMember<State>[]>;
  /** Present people, one entry per user key. */
  readonly users: ComputedRef<PresentUser<State>[]>;
  /** How many people are present. */
  readonly count: ComputedRef<number>;
  /** Replaces this member's state; rejects when not subscribed. */
  set(state: StateInput): Promise<void>;
}

/**
 * Presence of the channel a subscription is on.
 *
 * @example
 * ```ts
 * const doc = useSubscription('doc', () => ({ id }), { presence: () => me.value });
 * const { users, count } = usePresence(doc);
 * ```
 */
export function usePresence<Message, State, StateInput>(
  subscription: UseSubscriptionReturn<Message, State, StateInput>,
): UsePresenceReturn<State, StateInput> {
  const members = computed(() => subscription.members.value);
  const users = computed(() => {
    const map = new Map(members.value.map((member) => [member.conn, member]));
    return [...presenceByUser(map)].map(([key, connections]) => ({
      key,
      state: connections[connections.length - 1]!.state,
      connections,
    }));
  });
  return {
    members,
    users,
    count: computed(() => users.value.length),
    async set(state) {
      const sub = subscription.subscription.value;
      if (sub === undefined) throw toSockkitError(new Error('usePresence: not subscribed'));
      await sub.setPresence(state);
    },
  };
}
