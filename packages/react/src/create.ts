/**
 * `createSockkitReact<typeof contract>()`: the provider and hooks with the contract's types
 * bound once, so components write `useCall('openDoc', …)` or `usePublish('chat')` with names
 * and types checked and no generic arguments. Only the contract's type is needed.
 */
import type { SockkitClient } from '@sockkit/client';
import type {
  CallInput,
  CallOutput,
  ContractDef,
  PresenceState,
  PresenceStateInput,
  ServerProcedures,
  StreamChunk,
  StreamOutput,
  Streams,
  TopicMessage,
  TopicParamsInput,
  TopicPublishInput,
  Topics,
} from '@sockkit/core';
import type { ReactNode } from 'react';
import type {
  ClientOrNull,
  ProcedureName,
  PublishableTopicName,
  ServerStreamName,
  TopicName,
} from './client-types.js';
import { SockkitProvider, type SockkitProviderProps, useSockkitClient } from './context.js';
import { type UseCallOptions, type UseCallReturn, useCall } from './use-call.js';
import { type UseConnectionStateReturn, useConnectionState } from './use-connection-state.js';
import { usePresence } from './use-presence.js';
import { type UsePublishOptions, type UsePublishReturn, usePublish } from './use-publish.js';
import { type UseStreamOptions, type UseStreamReturn, useStream } from './use-stream.js';
import {
  type UseSubscriptionOptions,
  type UseSubscriptionReturn,
  useSubscription,
} from './use-subscription.js';

/** The provider and hooks of {@link createSockkitReact}, typed for contract `C`. */
export interface SockkitReact<C extends ContractDef> {
  /** Provides a client of `C` (or `null` during a server render) to the tree below. */
  SockkitProvider(props: SockkitProviderProps<C>): ReactNode;
  /** The provided client, typed from `C`: calls, subscribes, publishes, events, `close()`… */
  useClient(): SockkitClient<C>;
  /** {@link useCall} with the procedure names and types of `C`. */
  useCall<K extends ProcedureName<C>>(
    name: K,
    input?: CallInput<ServerProcedures<C>[K]>,
    options?: UseCallOptions<C>,
  ): UseCallReturn<CallInput<ServerProcedures<C>[K]>, CallOutput<ServerProcedures<C>[K]>>;
  /** {@link useSubscription} with the topic names and types of `C`. */
  useSubscription<K extends TopicName<C>>(
    name: K,
    params: TopicParamsInput<Topics<C>[K]>,
    options?: UseSubscriptionOptions<TopicMessage<Topics<C>[K]>, PresenceStateInput<Topics<C>[K]>, C>,
  ): UseSubscriptionReturn<TopicMessage<Topics<C>[K]>, PresenceState<Topics<C>[K]>>;
  /** {@link usePublish} with the names and types of the topics of `C` clients may publish to. */
  usePublish<K extends PublishableTopicName<C>>(
    topic: K,
    options?: UsePublishOptions<C>,
  ): UsePublishReturn<TopicParamsInput<Topics<C>[K]>, TopicPublishInput<Topics<C>[K]>>;
  /** {@link usePresence}, unchanged: its types come from the `useSubscription` result it is given. */
  usePresence: typeof usePresence;
  /** {@link useConnectionState}, taking a client of `C`. */
  useConnectionState(client?: ClientOrNull<C>): UseConnectionStateReturn;
  /** {@link useStream} with the server stream names and types of `C`. */
  useStream<K extends ServerStreamName<C>>(
    name: K,
    input?: CallInput<Streams<C>[K]>,
    options?: UseStreamOptions<C>,
  ): UseStreamReturn<CallInput<Streams<C>[K]>, StreamChunk<Streams<C>[K]>, StreamOutput<Streams<C>[K]>>;
}

/**
 * Binds the provider and hooks to a contract's type. Nothing of the contract is needed at run
 * time: `createSockkitReact<typeof contract>()` with `import type { contract }`.
 *
 * @example
 * ```ts
 * export const { SockkitProvider, useCall, useSubscription, usePublish, usePresence, useConnectionState } =
 *   createSockkitReact<typeof contract>();
 * ```
 */
export function createSockkitReact<C extends ContractDef>(): SockkitReact<C> {
  return {
    SockkitProvider: SockkitProvider as SockkitReact<C>['SockkitProvider'],
    useClient: () => useSockkitClient<C>(),
    useCall: (name, input, options) => useCall<C, typeof name>(name, input, options),
    useSubscription: (name, params, options) => useSubscription<C, typeof name>(name, params, options),
    usePublish: (topic, options) => usePublish<C, typeof topic>(topic, options),
    usePresence,
    useConnectionState: (client) => useConnectionState<C>(client),
    useStream: (name, input, options) => useStream<C, typeof name>(name, input, options),
  };
}
