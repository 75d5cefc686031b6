/**
 * `usePublish`: publishing to a topic clients may publish to, with its progress as state.
 * Publishes in flight when the component unmounts are aborted (see publish-tracker.ts).
 */
import type { PublishOptions, PublishResult } from '@sockkit/client';
import type { ContractDef, TopicParamsInput, TopicPublishInput, Topics } from '@sockkit/core';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ClientOrNull, PublishableTopicName } from './client-types.js';
import { useResolvedClient } from './context.js';
import { type PublishState, PublishTracker } from './publish-tracker.js';

/** Options of {@link usePublish}: defaults for each publish, which its own options override. */
export interface UsePublishOptions<C extends ContractDef = ContractDef> {
  /** Skip history for every message (per-publish `volatile` overrides it). */
  volatile?: boolean;
  /** Timeout of each publish, in ms (the client's default otherwise). */
  timeout?: number;
  /** The client to use instead of the provided one. */
  client?: ClientOrNull<C>;
}

/** What {@link usePublish} returns: the publishes' state, and the means to publish. */
export interface UsePublishReturn<Params, Message> extends PublishState {
  /**
   * Publishes `message` to the channel named by `params`. Resolves with where it landed, or
   * with `undefined` when it failed (see `error`), the component unmounted first, or there is
   * no client. The same function on every render.
   */
  publish(params: Params, message: Message, options?: PublishOptions): Promise<PublishResult | undefined>;
  /** Clears `result` and `error`; publishes in flight go on. */
  reset(): void;
}

/**
 * Publishes to a topic whose contract says `publish: 'client'`; other topics do not compile.
 *
 * @example
 * ```tsx
 * const chat = usePublish('chat');
 * await chat.publish({ room: 'lobby' }, { text: 'hi' });   // chat.error?.code on failure
 * ```
 */
export function usePublish<C extends ContractDef, K extends PublishableTopicName<C>>(
  topic: K,
  options: UsePublishOptions<C> = {},
): UsePublishReturn<TopicParamsInput<Topics<C>[K]>, TopicPublishInput<Topics<C>[K]>> {
  type Params = TopicParamsInput<Topics<C>[K]>;
  type Message = TopicPublishInput<Topics<C>[K]>;
  const client = useResolvedClient(options.client);
  const [tracker] = useState(() => new PublishTracker());
  const state = useSyncExternalStore(tracker.store.subscribe, tracker.store.get, () => tracker.store.initial);
  const latest = useRef({ client, topic, options });
  useEffect(() => {
    latest.current = { client, topic, options };
  });

  const publish = useCallback(
    (params: Params, message: Message, own: PublishOptions = {}) => {
      const { client, topic, options } = latest.current;
      if (client === null) return Promise.resolve(undefined);
      const send = client.publish[topic] as unknown as (
        params: Params,
        message: Message,
        options: PublishOptions,
      ) => Promise<PublishResult>;
      const merged: PublishOptions = { ...own };
      const volatile = own.volatile ?? options.volatile;
      if (volatile !== undefined) merged.volatile = volatile;
      const timeout = own.timeout ?? options.timeout;
      if (timeout !== undefined) merged.timeout = timeout;
      return tracker.run((withSignal) => send(params, message, withSignal), merged);
    },
    [tracker],
  );
  const reset = useCallback(() => tracker.reset(), [tracker]);
  useEffect(() => () => tracker.abortAll(), [tracker]);

  return { ...state, publish, reset };
}
