/**
 * `useTopicSync`: a topic keeping a query's cached data current. Each message either updates
 * the data in place (`update`) or invalidates the query (refetched while it is in use). The
 * query is also invalidated when the subscription is confirmed and when it resumes with a gap:
 * a fetch that ran before the subscription was live may have missed messages, and a gap means
 * the cache cannot be patched up from what follows.
 */
import type { MessageInfo } from '@sockkit/client';
import type {
  ContractDef,
  PresenceState,
  PresenceStateInput,
  TopicMessage,
  TopicParamsInput,
  Topics,
} from '@sockkit/core';
import { type DataTag, type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { TopicName } from '../client-types.js';
import {
  type UseSubscriptionOptions,
  type UseSubscriptionReturn,
  useSubscription,
} from '../use-subscription.js';

/** Options of {@link useTopicSync}. */
export interface UseTopicSyncOptions<Message, StateInput, Data, C extends ContractDef = ContractDef>
  extends Omit<UseSubscriptionOptions<Message, StateInput, C>, 'onMessage' | 'onRecovered'> {
  /** The query the topic keeps current, e.g. `sk.queryKey('history', { room })`. */
  queryKey: DataTag<QueryKey, Data, unknown> | QueryKey;
  /**
   * The cached data with `message` applied; without it each message invalidates the query.
   * Make it idempotent (upsert by id): a message can reach both a refetch and this.
   */
  update?: (data: Data | undefined, message: Message, info: MessageInfo) => Data | undefined;
}

/**
 * Subscribes to a topic channel and applies its messages to a query's data.
 *
 * @example
 * ```tsx
 * const history = useQuery(sk.queryOptions('history', { room }));
 * useTopicSync('chat', { room }, {
 *   queryKey: sk.queryKey('history', { room }),
 *   update: (messages, message) => [...(messages ?? []), message],
 * });
 * ```
 */
export function useTopicSync<C extends ContractDef, K extends TopicName<C>, Data = unknown>(
  topic: K,
  params: TopicParamsInput<Topics<C>[K]>,
  options: UseTopicSyncOptions<TopicMessage<Topics<C>[K]>, PresenceStateInput<Topics<C>[K]>, Data, C>,
): UseSubscriptionReturn<TopicMessage<Topics<C>[K]>, PresenceState<Topics<C>[K]>> {
  const queryClient = useQueryClient();
  const { queryKey, update, ...subscription } = options;
  const invalidate = () => void queryClient.invalidateQueries({ queryKey });
  const state = useSubscription<C, K>(topic, params, {
    ...subscription,
    onMessage: (message, info) => {
      if (update === undefined) invalidate();
      else queryClient.setQueryData<Data>(queryKey, (data) => update(data, message, info));
    },
    onRecovered: (recovered) => {
      if (!recovered) invalidate();
    },
  });
  const { subscription: live, ready } = state;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per confirmed subscription
  useEffect(() => {
    if (ready) invalidate();
  }, [ready, live]);
  return state;
}
