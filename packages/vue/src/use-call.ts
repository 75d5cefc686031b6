/**
 * `useCall`: one server procedure as reactive state. Only the latest call may write `data`
 * and `error` (an older reply arriving late is dropped), and a call still in flight when the
 * scope ends is aborted.
 */
import type { CallInput, CallOutput, ContractDef, ServerProcedures, SockkitError } from '@sockkit/core';
import {
  getCurrentScope,
  type MaybeRefOrGetter,
  onScopeDispose,
  type Ref,
  ref,
  type ShallowRef,
  shallowRef,
  toValue,
  watch,
} from 'vue';
import type { CallOptionsLike, ProcedureName, SockkitClientLike } from './client-shape.js';
import { toSockkitError } from './errors.js';
import { useSockkitClient } from './provide.js';

/** Options of {@link useCall}. */
export interface UseCallOptions {
  /**
   * Call at once and again whenever the reactive input changes. Defaults to `true` when an
   * input (value, ref or getter) is given, `false` otherwise.
   */
  immediate?: boolean;
  /** Timeout of each call, in ms (the client's default otherwise). */
  timeout?: number;
  /** The client to use instead of the provided one. */
  client?: SockkitClientLike<ContractDef>;
}

/** What {@link useCall} returns. */
export interface UseCallReturn<Input, Output> {
  /** The latest successful result; kept while a new call is pending. */
  readonly data: Readonly<ShallowRef<Output | undefined>>;
  /** The latest call's error, cleared when a call starts. */
  readonly error: Readonly<ShallowRef<SockkitError | undefined>>;
  /** Whether a call is in flight. */
  readonly pending: Readonly<Ref<boolean>>;
  /**
   * Calls the procedure with `input` (or the reactive input). Resolves with the output, or
   * with `undefined` when the call failed (see `error`) or was superseded by a newer call.
   */
  execute(input?: Input): Promise<Output | undefined>;
  /** Aborts a call in flight and clears `data` and `error`. */
  reset(): void;
}

/**
 * Calls a server procedure and keeps its result in refs.
 *
 * @example
 * ```ts
 * const docs = useCall('listDocs', undefined, { immediate: true });
 * const doc = useCall('openDoc', () => ({ id: props.id }));   // re-runs when props.id changes
 * const create = useCall('createDoc');                          // lazy: create.execute({ title })
 * ```
 */
export function useCall<C extends ContractDef, K extends ProcedureName<C>>(
  name: K,
  input?: MaybeRefOrGetter<CallInput<ServerProcedures<C>[K]>>,
  options: UseCallOptions = {},
): UseCallReturn<CallInput<ServerProcedures<C>[K]>, CallOutput<ServerProcedures<C>[K]>> {
  type Input = CallInput<ServerProcedures<C>[K]>;
  type Output = CallOutput<ServerProcedures<C>[K]>;
  const client = (options.client as SockkitClientLike<C> | undefined) ?? useSockkitClient<C>();
  const data = shallowRef() as ShallowRef<Output | undefined>;
  const error = shallowRef<SockkitError | undefined>(undefined);
  const pending = ref(false);
  let latest = 0;
  let controller: AbortController | undefined;

  const abort = () => {
    controller?.abort();
    controller = undefined;
  };

  async function execute(explicit?: Input): Promise<Output | undefined> {
    const value = explicit === undefined ? toValue(input) : explicit;
    const id = ++latest;
    abort();
    const own = new AbortController();
    controller = own;
    pending.value = true;
    error.value = undefined;
    const callOptions: CallOptionsLike = { signal: own.signal };
    if (options.timeout !== undefined) callOptions.timeout = options.timeout;
    const procedure = client.call[name] as unknown as (
      input: Input,
      options: CallOptionsLike,
    ) => Promise<Output>;
    try {
      const output = await procedure(value as Input, callOptions);
      if (id !== latest) return undefined;
      data.value = output;
      return output;
    } catch (thrown) {
      if (id === latest) error.value = toSockkitError(thrown);
      return undefined;
    } finally {
      if (id === latest) {
        pending.value = false;
        controller = undefined;
      }
    }
  }

  function reset(): void {
    latest++;
    abort();
    pending.value = false;
    data.value = undefined;
    error.value = undefined;
  }

  const immediate = options.immediate ?? input !== undefined;
  if (immediate) {
    watch(
      () => toValue(input),
      () => {
        void execute();
      },
      { immediate: true, deep: true },
    );
  }
  if (getCurrentScope()) {
    onScopeDispose(() => {
      latest++;
      abort();
    });
  }
  return { data, error, pending, execute, reset };
}
