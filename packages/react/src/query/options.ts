/**
 * TanStack Query options for a client's calls, so a procedure is a query or a mutation the way
 * a tRPC user writes one: `useQuery(sk.queryOptions('openDoc', { id }))`. Keys are
 * `['sockkit', procedure, input]`, so `sk.queryKey('openDoc')` matches every input of it.
 */
import type { CallOptions } from '@sockkit/client';
import {
  type CallInput,
  type CallOutput,
  type ContractDef,
  type ServerProcedures,
  SockkitError,
} from '@sockkit/core';
import {
  type DataTag,
  type QueryFunction,
  type SkipToken,
  skipToken,
  type UseMutationOptions,
  type UseQueryOptions,
} from '@tanstack/react-query';
import type { ClientOrNull, ProcedureName } from '../client-types.js';

/** The key of procedure `K`'s query: with its input, or without it to match every input. */
export type SockkitQueryKey<K extends string = string, Input = unknown> =
  | readonly ['sockkit', K]
  | readonly ['sockkit', K, Input];

/** Options for each call a query or mutation makes. */
export interface SockkitCallOptions {
  /** Timeout of each call, in ms (the client's default otherwise). */
  timeout?: number;
}

/**
 * What `queryOptions` gives: spread it into `useQuery` with options of your own. Typed as
 * `UseQueryOptions` with `SockkitError` as the error, so `query.error?.code` is known.
 */
export interface SockkitQueryOptions<K extends string, Input, Output>
  extends UseQueryOptions<Output, SockkitError, Output, SockkitQueryKey<K, Input>> {
  /** `['sockkit', K, input]`, tagged with the output type for `getQueryData` / `setQueryData`. */
  queryKey: DataTag<SockkitQueryKey<K, Input>, Output, SockkitError>;
  /** Calls the procedure with the query's abort signal; `skipToken` when there is no client. */
  queryFn: QueryFunction<Output, SockkitQueryKey<K, Input>> | SkipToken;
}

/** What `mutationOptions` gives: spread it into `useMutation` with options of your own. */
export interface SockkitMutationOptions<K extends string, Input, Output>
  extends UseMutationOptions<Output, SockkitError, Input> {
  /** `['sockkit', K]`. */
  mutationKey: readonly ['sockkit', K];
  /** Calls the procedure; rejects with a SockkitError (UNAVAILABLE when there is no client). */
  mutationFn: (input: Input) => Promise<Output>;
}

/** Query and mutation options for the procedures of `C`. */
export interface SockkitQuery<C extends ContractDef> {
  /** The key of a procedure's query; without `input` it matches every input (to invalidate all). */
  queryKey<K extends ProcedureName<C>>(
    name: K,
    input?: CallInput<ServerProcedures<C>[K]>,
  ): DataTag<
    SockkitQueryKey<K, CallInput<ServerProcedures<C>[K]>>,
    CallOutput<ServerProcedures<C>[K]>,
    SockkitError
  >;
  /** `useQuery` options calling procedure `name` with `input`. */
  queryOptions<K extends ProcedureName<C>>(
    name: K,
    input?: CallInput<ServerProcedures<C>[K]>,
    options?: SockkitCallOptions,
  ): SockkitQueryOptions<K, CallInput<ServerProcedures<C>[K]>, CallOutput<ServerProcedures<C>[K]>>;
  /** `useMutation` options calling procedure `name` with each mutation's variables. */
  mutationOptions<K extends ProcedureName<C>>(
    name: K,
    options?: SockkitCallOptions,
  ): SockkitMutationOptions<K, CallInput<ServerProcedures<C>[K]>, CallOutput<ServerProcedures<C>[K]>>;
}

/**
 * Query and mutation options bound to `client` (`null` on a server render: queries skip,
 * mutations reject with UNAVAILABLE). In components, `useSockkitQuery()` gives the same for
 * the provided client.
 *
 * @example
 * ```ts
 * const sk = sockkitQuery(client);
 * await queryClient.prefetchQuery(sk.queryOptions('listDocs'));
 * ```
 */
export function sockkitQuery<C extends ContractDef>(client: ClientOrNull<C>): SockkitQuery<C> {
  const callOf = (name: string, timeout: number | undefined) => {
    if (client === null) return undefined;
    const procedure = client.call[name as ProcedureName<C>] as unknown as (
      input: unknown,
      options: CallOptions,
    ) => Promise<never>;
    return (input: unknown, signal?: AbortSignal) => {
      const options: CallOptions = {};
      if (signal !== undefined) options.signal = signal;
      if (timeout !== undefined) options.timeout = timeout;
      return procedure(input, options);
    };
  };
  const queryKey = (name: string, input?: unknown) =>
    (input === undefined ? ['sockkit', name] : ['sockkit', name, input]) as never;
  return {
    queryKey,
    queryOptions(name, input, options = {}) {
      const call = callOf(name, options.timeout);
      return {
        queryKey: queryKey(name, input),
        queryFn: call === undefined ? skipToken : ({ signal }) => call(input, signal),
      };
    },
    mutationOptions(name, options = {}) {
      const call = callOf(name, options.timeout);
      return {
        mutationKey: ['sockkit', name] as const,
        mutationFn: (input) =>
          call === undefined
            ? Promise.reject(new SockkitError('UNAVAILABLE', 'no sockkit client here (server render)'))
            : call(input),
      };
    },
  };
}
