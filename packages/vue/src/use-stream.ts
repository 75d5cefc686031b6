/**
 * `useStream`: a server stream as reactive state: the chunks so far, whether it is done, its
 * final value or error. Only the latest stream writes (a superseded one is cancelled and its late
 * chunks dropped); the stream is cancelled when its input changes and when the scope ends.
 */
import type { CallInput, ContractDef, SockkitError, StreamChunk, StreamOutput, Streams } from '@sockkit/core';
import {
  getCurrentScope,
  type MaybeRefOrGetter,
  onScopeDispose,
  type Ref,
  ref,
  type ShallowRef,
  shallowRef,
  toValue,
  triggerRef,
  watch,
} from 'vue';
import type {
  ServerStreamLike,
  ServerStreamName,
  SockkitClientLike,
  StreamOptionsLike,
} from './client-shape.js';
import { toSockkitError } from './errors.js';
import { useSockkitClient } from './provide.js';

/** Streams are a part a client is given: say how, rather than fail on `undefined`. */
const NO_STREAMS = `@sockkit/vue: useStream needs a client created with the streams option of '@sockkit/client'`;

/** Options of {@link useStream}. */
export interface UseStreamOptions<Chunk> {
  /**
   * Open the stream at once and again whenever the reactive input changes. Defaults to `true`
   * when an input (value, ref or getter) is given, `false` otherwise.
   */
  immediate?: boolean;
  /** The client's credit window for this stream (see `StreamOptions.window`). */
  window?: number;
  /** Called with each chunk as it arrives, besides `chunks`. */
  onChunk?: (chunk: Chunk) => void;
  /**
   * Keep only the last `keep` chunks in `chunks` (a long stream otherwise keeps every chunk it
   * received). Default: all.
   */
  keep?: number;
  /** The client to use instead of the provided one. */
  client?: SockkitClientLike<ContractDef>;
}

/** What {@link useStream} returns. */
export interface UseStreamReturn<Input, Chunk, Output> {
  /** The chunks received so far, oldest first (the same array, triggered on each chunk). */
  readonly chunks: Readonly<ShallowRef<Chunk[]>>;
  /** True once the stream ended well; `result` holds its final value. */
  readonly done: Readonly<Ref<boolean>>;
  /** Whether a stream is open. */
  readonly streaming: Readonly<Ref<boolean>>;
  /** The stream's error (CANCELLED is not reported: cancelling is not failing). */
  readonly error: Readonly<ShallowRef<SockkitError | undefined>>;
  /** The final value of a stream that ended well. */
  readonly result: Readonly<ShallowRef<Output | undefined>>;
  /** Opens the stream with `input` (or the reactive input), cancelling one still open. */
  start(input?: Input): void;
  /** Cancels the open stream (the server's handler is cancelled); chunks so far stay. */
  cancel(): void;
}

/**
 * Reads a server stream into refs.
 *
 * @example
 * ```ts
 * const answer = useStream('tokens', () => ({ prompt: prompt.value }), { immediate: false });
 * // answer.start(); answer.chunks.value.join(''); answer.cancel() for a Stop button
 * ```
 */
export function useStream<C extends ContractDef, K extends ServerStreamName<C>>(
  name: K,
  input?: MaybeRefOrGetter<CallInput<Streams<C>[K]>>,
  options: UseStreamOptions<StreamChunk<Streams<C>[K]>> = {},
): UseStreamReturn<CallInput<Streams<C>[K]>, StreamChunk<Streams<C>[K]>, StreamOutput<Streams<C>[K]>> {
  type Input = CallInput<Streams<C>[K]>;
  type Chunk = StreamChunk<Streams<C>[K]>;
  type Output = StreamOutput<Streams<C>[K]>;
  const client = (options.client as SockkitClientLike<C> | undefined) ?? useSockkitClient<C>();
  const chunks = shallowRef<Chunk[]>([]);
  const done = ref(false);
  const streaming = ref(false);
  const error = shallowRef<SockkitError | undefined>(undefined);
  const result = shallowRef() as ShallowRef<Output | undefined>;
  let current: ServerStreamLike<Chunk, Output> | undefined;

  function cancel(): void {
    current?.cancel();
    current = undefined;
    streaming.value = false;
  }

  function start(explicit?: Input): void {
    cancel();
    const value = explicit === undefined ? toValue(input) : explicit;
    if (!client.stream) throw new Error(NO_STREAMS);
    const open = client.stream[name] as unknown as (
      input: Input,
      options: StreamOptionsLike,
    ) => ServerStreamLike<Chunk, Output>;
    const streamOptions: StreamOptionsLike = {};
    if (options.window !== undefined) streamOptions.window = options.window;
    const stream = open(value as Input, streamOptions);
    current = stream;
    chunks.value = [];
    done.value = false;
    error.value = undefined;
    result.value = undefined;
    streaming.value = true;
    void read(stream);
  }

  async function read(stream: ServerStreamLike<Chunk, Output>): Promise<void> {
    try {
      for (;;) {
        const step = await stream.next();
        if (current !== stream) return;
        if (step.done) {
          result.value = await stream.result;
          done.value = true;
          break;
        }
        const list = chunks.value;
        list.push(step.value);
        if (options.keep !== undefined && list.length > options.keep)
          list.splice(0, list.length - options.keep);
        triggerRef(chunks);
        options.onChunk?.(step.value);
      }
    } catch (thrown) {
      const err = toSockkitError(thrown);
      if (current === stream && err.code !== 'CANCELLED') error.value = err;
    } finally {
      if (current === stream) {
        current = undefined;
        streaming.value = false;
      }
    }
  }

  const immediate = options.immediate ?? input !== undefined;
  if (immediate) {
    watch(
      () => toValue(input),
      () => start(),
      { immediate: true, deep: true },
    );
  }
  if (getCurrentScope()) onScopeDispose(cancel);
  return { chunks, done, streaming, error, result, start, cancel };
}
