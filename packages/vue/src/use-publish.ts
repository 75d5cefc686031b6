/**
 * `usePublish`: publishing to a topic clients may publish to, with its progress as reactive
 * state. Unlike calls, publishes never supersede each other (each is its own message), so a
 * newer one aborts nothing and every failure lands in `error`. Like `useCall`, publishes
 * still in flight when the scope ends are aborted: one still queued while offline is never
 * sent; one already sent is published anyway (the server does not take it back), only its
 * answer is no longer awaited.
 */
import type { ContractDef, SockkitError, TopicParamsInput, TopicPublishInput, Topics } from '@sockkit/core';
import { getCurrentScope, onScopeDispose, type Ref, ref, type ShallowRef, shallowRef } from 'vue';
import type {
  PublishableTopicName,
  PublishOptionsLike,
  PublishResultLike,
  SockkitClientLike,
} from './client-shape.js';
import { toSockkitError } from './errors.js';
import { useSockkitClient } from './provide.js';

/** Options of {@link usePublish}: defaults for each publish, which its own options override. */
export interface UsePublishOptions {
  /** Skip history for every message (per-publish `volatile` overrides it). */
  volatile?: boolean;
  /** Timeout of each publish, in ms (the client's default otherwise). */
  timeout?: number;
  /** The client to use instead of the provided one. */
  client?: SockkitClientLike<ContractDef>;
}

/** What {@link usePublish} returns. */
export interface UsePublishReturn<Params, Message> {
  /** Where the latest confirmed publish landed (`offset` absent for volatile messages). */
  readonly result: Readonly<ShallowRef<PublishResultLike | undefined>>;
  /** Why the latest failed publish failed; cleared when a publish starts. */
  readonly error: Readonly<ShallowRef<SockkitError | undefined>>;
  /** Whether any publish is in flight. */
  readonly pending: Readonly<Ref<boolean>>;
  /**
   * Publishes `message` to the channel named by `params`. Resolves with where it landed, or
   * with `undefined` when it failed (see `error`) or the scope ended first.
   */
  publish(
    params: Params,
    message: Message,
    options?: PublishOptionsLike,
  ): Promise<PublishResultLike | undefined>;
  /** Clears `result` and `error`; publishes in flight go on. */
  reset(): void;
}

/**
 * Publishes to a topic whose contract says `publish: 'client'`; other topics do not compile.
 *
 * @example
 * ```ts
 * const chat = usePublish('chat');
 * await chat.publish({ room: 'lobby' }, { text: 'hi' });   // chat.error.value?.code on failure
 * const cursor = usePublish('cursor', { volatile: true }); // not kept in history
 * ```
 */
export function usePublish<C extends ContractDef, K extends PublishableTopicName<C>>(
  topic: K,
  options: UsePublishOptions = {},
): UsePublishReturn<TopicParamsInput<Topics<C>[K]>, TopicPublishInput<Topics<C>[K]>> {
  type Params = TopicParamsInput<Topics<C>[K]>;
  type Message = TopicPublishInput<Topics<C>[K]>;
  const client = (options.client as SockkitClientLike<C> | undefined) ?? useSockkitClient<C>();
  const result = shallowRef<PublishResultLike | undefined>(undefined);
  const error = shallowRef<SockkitError | undefined>(undefined);
  const pending = ref(false);
  const inFlight = new Set<AbortController>();
  let disposed = false;

  async function publish(
    params: Params,
    message: Message,
    own: PublishOptionsLike = {},
  ): Promise<PublishResultLike | undefined> {
    const controller = new AbortController();
    // The caller's signal aborts this publish too; the scope's end aborts it through `controller`.
    const outer = own.signal;
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    inFlight.add(controller);
    pending.value = true;
    error.value = undefined;
    const publishOptions: PublishOptionsLike = { signal: controller.signal };
    const volatile = own.volatile ?? options.volatile;
    if (volatile !== undefined) publishOptions.volatile = volatile;
    const timeout = own.timeout ?? options.timeout;
    if (timeout !== undefined) publishOptions.timeout = timeout;
    const send = client.publish[topic] as unknown as (
      params: Params,
      message: Message,
      options: PublishOptionsLike,
    ) => Promise<PublishResultLike>;
    try {
      const landed = await send(params, message, publishOptions);
      if (disposed) return undefined;
      result.value = landed;
      return landed;
    } catch (thrown) {
      if (!disposed) error.value = toSockkitError(thrown);
      return undefined;
    } finally {
      outer?.removeEventListener('abort', forward);
      inFlight.delete(controller);
      if (!disposed) pending.value = inFlight.size > 0;
    }
  }

  function reset(): void {
    result.value = undefined;
    error.value = undefined;
  }

  if (getCurrentScope()) {
    onScopeDispose(() => {
      disposed = true;
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
    });
  }
  return { result, error, pending, publish, reset };
}
