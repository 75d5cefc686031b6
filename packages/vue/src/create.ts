/**
 * `createSockkitVue<typeof contract>()`: the composables with the contract's types bound
 * once, so components write `useCall('openDoc', …)` or `usePublish('cursors')` with names and
 * types checked and no generic arguments.
 */
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
import type { MaybeRefOrGetter } from 'vue';
import type {
  ProcedureName,
  PublishableTopicName,
  ServerStreamName,
  SockkitClientLike,
  TopicName,
} from './client-shape.js';
import { provideSockkit, sockkitPlugin, useSockkitClient } from './provide.js';
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

/** The composables of {@link createSockkitVue}, typed for contract `C`. */
export interface SockkitVue<C extends ContractDef> {
  /** Vue plugin providing `client` to the app. */
  plugin(client: SockkitClientLike<C>): ReturnType<typeof sockkitPlugin>;
  /** Provides `client` to the caller's descendants. */
  provide(client: SockkitClientLike<C>): void;
  /** The provided client, typed from `C`: calls, subscribes, publishes, events, `close()`… */
  useClient(): SockkitClientLike<C>;
  /** {@link useCall} with the procedure names and types of `C`. */
  useCall<K extends ProcedureName<C>>(
    name: K,
    input?: MaybeRefOrGetter<CallInput<ServerProcedures<C>[K]>>,
    options?: UseCallOptions,
  ): UseCallReturn<CallInput<ServerProcedures<C>[K]>, CallOutput<ServerProcedures<C>[K]>>;
  /** {@link useStream} with the server stream names and types of `C`. */
  useStream<K extends ServerStreamName<C>>(
    name: K,
    input?: MaybeRefOrGetter<CallInput<Streams<C>[K]>>,
    options?: UseStreamOptions<StreamChunk<Streams<C>[K]>>,
  ): UseStreamReturn<CallInput<Streams<C>[K]>, StreamChunk<Streams<C>[K]>, StreamOutput<Streams<C>[K]>>;
  /** {@link useSubscription} with the topic names and types of `C`. */
  useSubscription<K extends TopicName<C>>(
    name: K,
    params: MaybeRefOrGetter<TopicParamsInput<Topics<C>[K]>>,
    options?: UseSubscriptionOptions<TopicMessage<Topics<C>[K]>, PresenceStateInput<Topics<C>[K]>>,
  ): UseSubscriptionReturn<
    TopicMessage<Topics<C>[K]>,
    PresenceState<Topics<C>[K]>,
    PresenceStateInput<Topics<C>[K]>
  >;
  /** {@link usePublish} with the names and types of the topics of `C` clients may publish to. */
  usePublish<K extends PublishableTopicName<C>>(
    topic: K,
    options?: UsePublishOptions,
  ): UsePublishReturn<TopicParamsInput<Topics<C>[K]>, TopicPublishInput<Topics<C>[K]>>;
  /** {@link usePresence}, unchanged: its types come from the `useSubscription` result it is given. */
  usePresence: typeof usePresence;
  /** {@link useConnectionState}, taking a client typed for `C`. */
  useConnectionState(client?: SockkitClientLike<C>): UseConnectionStateReturn;
}

/**
 * Binds the composables to a contract's types. The argument is only used for inference;
 * `createSockkitVue<typeof contract>()` works too.
 *
 * @example
 * ```ts
 * export const { useCall, useSubscription, usePublish, usePresence, useConnectionState } =
 *   createSockkitVue(contract);
 * ```
 */
export function createSockkitVue<C extends ContractDef>(_contract?: C): SockkitVue<C> {
  return {
    plugin: (client) => sockkitPlugin(client),
    provide: (client) => provideSockkit(client),
    useClient: () => useSockkitClient<C>(),
    useCall: (name, input, options) => useCall<C, typeof name>(name, input, options),
    useStream: (name, input, options) => useStream<C, typeof name>(name, input, options),
    useSubscription: (name, params, options) => useSubscription<C, typeof name>(name, params, options),
    usePublish: (topic, options) => usePublish<C, typeof topic>(topic, options),
    usePresence,
    useConnectionState: (client) => useConnectionState<C>(client),
  };
}
