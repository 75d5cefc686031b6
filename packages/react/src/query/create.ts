/**
 * `createSockkitQuery<typeof contract>()`: the TanStack Query helpers with the contract's types
 * bound once, for the client the `SockkitProvider` above provides.
 */
import type {
  ContractDef,
  PresenceState,
  PresenceStateInput,
  TopicMessage,
  TopicParamsInput,
  Topics,
} from '@sockkit/core';
import { useMemo } from 'react';
import type { TopicName } from '../client-types.js';
import { useResolvedClient } from '../context.js';
import type { UseSubscriptionReturn } from '../use-subscription.js';
import { type SockkitQuery, sockkitQuery } from './options.js';
import { type UseTopicSyncOptions, useTopicSync } from './topic-sync.js';

/** The hooks of {@link createSockkitQuery}, typed for contract `C`. */
export interface SockkitReactQuery<C extends ContractDef> {
  /** Query keys and `queryOptions` / `mutationOptions` for the provided client. */
  useSockkitQuery(): SockkitQuery<C>;
  /** {@link useTopicSync} with the topic names and types of `C`. */
  useTopicSync<K extends TopicName<C>, Data = unknown>(
    topic: K,
    params: TopicParamsInput<Topics<C>[K]>,
    options: UseTopicSyncOptions<TopicMessage<Topics<C>[K]>, PresenceStateInput<Topics<C>[K]>, Data, C>,
  ): UseSubscriptionReturn<TopicMessage<Topics<C>[K]>, PresenceState<Topics<C>[K]>>;
}

/**
 * Binds the TanStack Query helpers to a contract's type (nothing of it is needed at run time).
 *
 * @example
 * ```tsx
 * export const { useSockkitQuery, useTopicSync } = createSockkitQuery<typeof contract>();
 *
 * function Docs() {
 *   const sk = useSockkitQuery();
 *   const docs = useQuery(sk.queryOptions('listDocs'));
 *   const create = useMutation(sk.mutationOptions('createDoc'));
 * }
 * ```
 */
export function createSockkitQuery<C extends ContractDef>(): SockkitReactQuery<C> {
  return {
    useSockkitQuery() {
      const client = useResolvedClient<C>(undefined);
      return useMemo(() => sockkitQuery(client), [client]);
    },
    useTopicSync: (topic, params, options) => useTopicSync(topic, params, options),
  };
}
