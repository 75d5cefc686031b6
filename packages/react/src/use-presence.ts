/**
 * `usePresence`: who is on the channel of a {@link useSubscription} result, grouped by user
 * (one person with two tabs is one user with two connections). Derived from the
 * subscription's snapshot, so it never disagrees with it within a render.
 */
import { type PresenceMember, presenceByUser } from '@sockkit/core';
import { useCallback, useMemo } from 'react';
import { toSockkitError } from './errors.js';
import type { SubscriptionState } from './subscription-state.js';

/** One person on the channel and the connections they are present with. */
export interface PresentUser<State> {
  /** The server's user key, or `conn:<id>` for connections without one. */
  readonly key: string;
  /** The state of their most recent connection. */
  readonly state: State;
  /** Each connection the user is present with (one per tab or device). */
  readonly connections: readonly PresenceMember<State>[];
}

/** What {@link usePresence} returns. */
export interface UsePresenceReturn<State> {
  /** Every present connection. */
  readonly members: readonly PresenceMember<State>[];
  /** Present people, one entry per user key. */
  readonly users: readonly PresentUser<State>[];
  /** How many people are present. */
  readonly count: number;
  /** Replaces this member's state without re-subscribing; rejects when not subscribed. */
  set(state: State): Promise<void>;
}

/**
 * Presence of the channel a subscription is on.
 *
 * @example
 * ```tsx
 * const doc = useSubscription('doc', { id }, { presence: me });
 * const { users, count } = usePresence(doc);
 * ```
 */
export function usePresence<Message, State>(
  subscription: SubscriptionState<Message, State>,
): UsePresenceReturn<State> {
  const { members, subscription: sub } = subscription;
  const users = useMemo(() => {
    const byConn = new Map(members.map((member) => [member.conn, member]));
    return [...presenceByUser(byConn)].map(([key, connections]) => ({
      key,
      state: connections[connections.length - 1]!.state,
      connections,
    }));
  }, [members]);
  const set = useCallback(
    async (state: State) => {
      if (sub === undefined) throw toSockkitError(new Error('usePresence: not subscribed'));
      await sub.setPresence(state);
    },
    [sub],
  );
  return { members, users, count: users.length, set };
}
