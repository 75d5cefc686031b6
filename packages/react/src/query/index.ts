/**
 * @sockkit/react/query: sockkit calls as TanStack Query queries and mutations, and topics that
 * keep query data current. Needs `@tanstack/react-query` (an optional peer of this package)
 * and a `QueryClientProvider` as well as the `SockkitProvider`.
 *
 * @packageDocumentation
 */
export { createSockkitQuery, type SockkitReactQuery } from './create.js';
export {
  type SockkitCallOptions,
  type SockkitMutationOptions,
  type SockkitQuery,
  type SockkitQueryKey,
  type SockkitQueryOptions,
  sockkitQuery,
} from './options.js';
export { type UseTopicSyncOptions, useTopicSync } from './topic-sync.js';
