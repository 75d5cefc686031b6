/**
 * `useCall`: one server procedure as state. With an input it runs after mount and again when
 * the input changes (compared by value, so a new object with the same content is no change);
 * without one it waits for `execute`. Only the latest call writes `data` and `error`, and a
 * call in flight when the component unmounts is aborted (the server hears a cancel).
 */
import type { CallOptions } from '@sockkit/client';
import type { CallInput, CallOutput, ContractDef, ServerProcedures } from '@sockkit/core';
import { stableStringify } from '@sockkit/core/protocol';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { CallRunner, type CallState } from './call-runner.js';
import type { ClientOrNull, ProcedureName } from './client-types.js';
import { useResolvedClient } from './context.js';
import { afterStrictRemount } from './defer.js';

/** Options of {@link useCall}. */
export interface UseCallOptions<C extends ContractDef = ContractDef> {
  /**
   * Call after mount and again whenever the input changes. Defaults to `true` when an input
   * is given, `false` otherwise.
   */
  immediate?: boolean;
  /** Timeout of each call, in ms (the client's default otherwise). */
  timeout?: number;
  /** The client to use instead of the provided one. */
  client?: ClientOrNull<C>;
}

/** What {@link useCall} returns: the latest call's state, and the means to call. */
export interface UseCallReturn<Input, Output> extends CallState<Output> {
  /**
   * Calls the procedure with `input` (or the hook's input). Resolves with the output, or with
   * `undefined` when the call failed (see `error`), was superseded, or there is no client.
   * The same function on every render.
   */
  execute(input?: Input): Promise<Output | undefined>;
  /** Aborts a call in flight and clears `data` and `error`. The same function on every render. */
  reset(): void;
}

/**
 * Calls a server procedure and keeps its result as state.
 *
 * @example
 * ```tsx
 * const docs = useCall('listDocs', undefined, { immediate: true });
 * const doc = useCall('openDoc', { id });          // runs again when id changes
 * const create = useCall('createDoc');             // lazy: create.execute({ title })
 * ```
 */
export function useCall<C extends ContractDef, K extends ProcedureName<C>>(
  name: K,
  input?: CallInput<ServerProcedures<C>[K]>,
  options: UseCallOptions<C> = {},
): UseCallReturn<CallInput<ServerProcedures<C>[K]>, CallOutput<ServerProcedures<C>[K]>> {
  type Input = CallInput<ServerProcedures<C>[K]>;
  type Output = CallOutput<ServerProcedures<C>[K]>;
  const client = useResolvedClient(options.client);
  const [runner] = useState(() => new CallRunner<Output>());
  const state = useSyncExternalStore(runner.store.subscribe, runner.store.get, () => runner.store.initial);
  // What `execute` reads: the props of the last committed render, not of one React discarded.
  const latest = useRef({ client, name, input, timeout: options.timeout });
  useEffect(() => {
    latest.current = { client, name, input, timeout: options.timeout };
  });

  const execute = useCallback(
    (explicit?: Input): Promise<Output | undefined> => {
      const { client, name, input, timeout } = latest.current;
      if (client === null) return Promise.resolve(undefined);
      const value = explicit === undefined ? input : explicit;
      const procedure = client.call[name] as unknown as (
        input: Input,
        options: CallOptions,
      ) => Promise<Output>;
      return runner.run((signal) =>
        procedure(value as Input, timeout === undefined ? { signal } : { signal, timeout }),
      );
    },
    [runner],
  );
  const reset = useCallback(() => runner.reset(), [runner]);

  const immediate = options.immediate ?? input !== undefined;
  const key = immediate && client !== null ? stableStringify(input ?? null) : undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: another client or procedure is another call
  useEffect(() => {
    if (key === undefined) return;
    return afterStrictRemount(() => {
      void execute();
      return undefined;
    });
  }, [key, client, name, execute]);
  // Unmounting aborts what is in flight.
  useEffect(() => () => runner.abort(), [runner]);

  return { ...state, execute, reset };
}
