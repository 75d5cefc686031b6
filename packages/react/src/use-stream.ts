/**
 * `useStream`: a server stream as state: the chunks so far, whether it is done, its final value
 * or error. With an input it opens after mount and again when the input changes (compared by
 * value), cancelling the stream before; unmounting cancels it (the server's handler is
 * cancelled). Only the latest stream writes: a superseded one's late chunks are dropped.
 */
import type { CallInput, ContractDef, SockkitError, StreamChunk, StreamOutput, Streams } from '@sockkit/core';
import { stableStringify } from '@sockkit/core/protocol';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ClientOrNull, ServerStreamName } from './client-types.js';
import { useResolvedClient } from './context.js';
import { afterStrictRemount } from './defer.js';
import { toSockkitError } from './errors.js';
import { createStore, type Store } from './store.js';

/** Streams are a part a client is given: say how, rather than fail on `undefined`. */
const NO_STREAMS = `@sockkit/react: useStream needs a client created with the streams option of '@sockkit/client'`;

/** Options of {@link useStream}. */
export interface UseStreamOptions<C extends ContractDef = ContractDef> {
  /** Open the stream after mount and whenever the input changes. Default: when an input is given. */
  immediate?: boolean;
  /** The client's credit window for this stream (chunks the server may send ahead). */
  window?: number;
  /** Keep only the last `keep` chunks (a long stream otherwise keeps every chunk). */
  keep?: number;
  /** The client to use instead of the provided one. */
  client?: ClientOrNull<C>;
}

/** A stream's state: one immutable snapshot per change. */
export interface StreamState<Chunk, Output> {
  /** The chunks so far, oldest first (a new array on each chunk). */
  readonly chunks: readonly Chunk[];
  /** Whether a stream is open. */
  readonly streaming: boolean;
  /** True once the stream ended well; `result` holds its final value. */
  readonly done: boolean;
  /** The final value of a stream that ended well. */
  readonly result: Output | undefined;
  /** Its error (CANCELLED is not reported: cancelling is not failing). */
  readonly error: SockkitError | undefined;
}

/** What {@link useStream} returns. */
export interface UseStreamReturn<Input, Chunk, Output> extends StreamState<Chunk, Output> {
  /** Opens the stream with `input` (or the hook's input), cancelling one still open. The same function on every render. */
  start(input?: Input): void;
  /** Cancels the open stream; the chunks so far stay. The same function on every render. */
  cancel(): void;
}

/** What useStream needs of a server stream (the client's `ServerStream`). */
interface StreamLike<Chunk, Output> {
  next(): Promise<IteratorResult<Chunk>>;
  readonly result: Promise<Output>;
  cancel(): void;
}

const IDLE: StreamState<never, never> = {
  chunks: [],
  streaming: false,
  done: false,
  result: undefined,
  error: undefined,
};

/** Reads streams into a store; only the latest one writes. */
class StreamReader<Chunk, Output> {
  readonly store: Store<StreamState<Chunk, Output>> = createStore<StreamState<Chunk, Output>>(IDLE);
  private current: StreamLike<Chunk, Output> | undefined;

  constructor(private readonly keep: () => number | undefined) {}

  read(stream: StreamLike<Chunk, Output>): void {
    this.cancel();
    this.current = stream;
    this.store.set({ ...IDLE, streaming: true });
    void this.pump(stream);
  }

  cancel(): void {
    const stream = this.current;
    this.current = undefined;
    if (!stream) return;
    stream.cancel();
    this.store.update({ streaming: false });
  }

  private async pump(stream: StreamLike<Chunk, Output>): Promise<void> {
    try {
      for (;;) {
        const step = await stream.next();
        if (this.current !== stream) return;
        if (step.done) {
          const result = await stream.result;
          if (this.current === stream) this.store.update({ done: true, result });
          break;
        }
        const keep = this.keep();
        const chunks = [...this.store.get().chunks, step.value];
        this.store.update({ chunks: keep !== undefined ? chunks.slice(-keep) : chunks });
      }
    } catch (thrown) {
      const error = toSockkitError(thrown);
      if (this.current === stream && error.code !== 'CANCELLED') this.store.update({ error });
    } finally {
      if (this.current === stream) {
        this.current = undefined;
        this.store.update({ streaming: false });
      }
    }
  }
}

/**
 * Reads a server stream into state.
 *
 * @example
 * ```tsx
 * const answer = useStream('tokens', undefined, { immediate: false });
 * // answer.start({ prompt }); answer.chunks.join(''); <button onClick={answer.cancel}>Stop</button>
 * ```
 */
export function useStream<C extends ContractDef, K extends ServerStreamName<C>>(
  name: K,
  input?: CallInput<Streams<C>[K]>,
  options: UseStreamOptions<C> = {},
): UseStreamReturn<CallInput<Streams<C>[K]>, StreamChunk<Streams<C>[K]>, StreamOutput<Streams<C>[K]>> {
  type Input = CallInput<Streams<C>[K]>;
  type Chunk = StreamChunk<Streams<C>[K]>;
  type Output = StreamOutput<Streams<C>[K]>;
  const client = useResolvedClient(options.client);
  const latest = useRef({ client, name, input, window: options.window, keep: options.keep });
  useEffect(() => {
    latest.current = { client, name, input, window: options.window, keep: options.keep };
  });
  const [reader] = useState(() => new StreamReader<Chunk, Output>(() => latest.current.keep));
  const state = useSyncExternalStore(reader.store.subscribe, reader.store.get, () => reader.store.initial);

  const start = useCallback(
    (explicit?: Input) => {
      const { client, name, input, window } = latest.current;
      if (client === null) return;
      const streams = (client as { stream?: Record<string, unknown> }).stream;
      if (!streams) throw new Error(NO_STREAMS);
      const open = streams[name] as (
        input: Input,
        options: { window?: number; signal?: AbortSignal },
      ) => StreamLike<Chunk, Output>;
      reader.read(
        open(explicit === undefined ? (input as Input) : explicit, window === undefined ? {} : { window }),
      );
    },
    [reader],
  );
  const cancel = useCallback(() => reader.cancel(), [reader]);

  const immediate = options.immediate ?? input !== undefined;
  const key = immediate && client !== null ? stableStringify(input ?? null) : undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: another client or stream is another stream
  useEffect(() => {
    if (key === undefined) return;
    return afterStrictRemount(() => {
      start();
      return () => reader.cancel();
    });
  }, [key, client, name, start]);
  // Unmounting cancels what is open.
  useEffect(() => () => reader.cancel(), [reader]);

  return { ...state, start, cancel };
}
