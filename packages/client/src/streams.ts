/**
 * Streams this client opens. Each is a request like a call (`stream`, answered once by
 * `result` or `error`, holding one of the server's call slots until then), with chunks in
 * between under credit:
 * - reading a server stream, the client grants `window` chunks in its `stream` frame and grants
 *   back what the loop took once half the window was read, so it never holds more than
 *   `window` chunks and a loop that stops reading stops the server's generator;
 * - writing a client stream, it pulls the caller's source only while the server's `more`
 *   frames leave credit, and sends `end` after the last chunk.
 * Nothing here knows the contract: whether a stream reads or writes is whether the caller
 * passed a `source`. Streams never resume: a link drop ends them with UNAVAILABLE.
 */
import { type Codec, isSockkitError, SockkitError } from '@sockkit/core';
import { chunkFrame, endFrame, moreFrame, streamFrame } from '@sockkit/core/protocol';

/** Options of a stream the client reads (a server stream). */
export interface StreamOptions {
  /** Aborting ends the stream: the loop ends, the server's handler is cancelled. */
  signal?: AbortSignal;
  /**
   * Chunks the client holds at most for a loop that has not taken them (its credit window);
   * the server's generator is not pulled beyond it. Default 256: with chunks of the server's
   * `maxStreamChunkBytes` (64 KiB) that is up to 16 MiB held, so lower it for large chunks.
   */
  window?: number;
}

/** Options of a stream the client writes (a client stream). */
export interface SendStreamOptions<T> {
  /** The chunks to send, pulled only as fast as the server reads them. */
  source: AsyncIterable<T> | Iterable<T>;
  /** Aborting ends the stream with CANCELLED and cancels the server's handler. */
  signal?: AbortSignal;
}

/**
 * A server stream as its caller reads it: `for await` its chunks; `break` (or `cancel()`)
 * cancels the server's handler. The loop throws the stream's error as a `SockkitError`.
 */
export interface ServerStream<T, R> extends AsyncIterableIterator<T> {
  /** The final value once the stream ended; rejects with its error (CANCELLED after a `break`). */
  readonly result: Promise<R>;
  /** Ends the stream: the loop ends, the server's handler is cancelled. */
  cancel(): void;
}

/** What streams need from the client. */
export interface StreamHost {
  readonly codec: Codec;
  nextId(): number;
  /** Queues a frame on the open socket (dropped when there is none). */
  send(frame: string): void;
  /**
   * Sends a request taking a call slot and settles with its answer (Requests.track; typed here
   * by shape, as options.ts imports this file's types).
   */
  track(
    id: number,
    frame: string,
    label: string,
    options: { signal: AbortSignal; timeout: number },
    kind: { call: true },
  ): Promise<unknown>;
}

const DEFAULT_WINDOW = 256;
const NO_TIMEOUT = 0;

type Outcome = { ok: true; value: unknown } | { ok: false; error: SockkitError };

/** A server stream being read. */
class Reading implements ServerStream<unknown, unknown> {
  /** Chunks that arrived before the loop asked (at most `window`). */
  private items: unknown[] = [];
  /** A loop waiting for the next chunk (`undefined`: the stream ended). */
  private waiter: ((chunk: { value: unknown } | undefined) => void) | undefined;
  /** How the stream ended; after the loop saw an error, later reads are simply done. */
  private outcome: Outcome | undefined;
  private taken = 0;
  readonly result: Promise<unknown>;

  constructor(
    private readonly id: number,
    private readonly window: number,
    private readonly host: StreamHost,
    readonly controller: AbortController,
    ended: Promise<Outcome>,
  ) {
    this.result = ended.then((outcome) => {
      this.outcome = outcome;
      if (this.waiter) this.deliver(undefined);
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    });
    this.result.catch(() => {}); // the loop reports the error; `result` is for those who ask
  }

  push(value: unknown): void {
    if (this.outcome) return;
    if (this.waiter) return this.deliver({ value });
    if (this.items.length >= this.window)
      return this.controller.abort(new SockkitError('BAD_REQUEST', 'server sent chunks beyond the window'));
    this.items.push(value);
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.items.length > 0) {
      this.took();
      return Promise.resolve({ value: this.items.shift(), done: false });
    }
    if (this.outcome) return this.end();
    return new Promise<{ value: unknown } | undefined>((resolve) => {
      this.waiter = resolve;
    }).then((chunk) => (chunk ? { value: chunk.value, done: false } : this.end()));
  }

  return(): Promise<IteratorResult<unknown>> {
    this.cancel();
    this.outcome = { ok: true, value: undefined };
    return this.end();
  }

  cancel(): void {
    if (!this.outcome) this.controller.abort(new SockkitError('CANCELLED', 'stream cancelled'));
    this.items = [];
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private deliver(chunk: { value: unknown } | undefined): void {
    const waiter = this.waiter!;
    this.waiter = undefined;
    if (chunk) this.took();
    waiter(chunk);
  }

  /** The loop took a chunk: grant back what it took once half the window was read. */
  private took(): void {
    if (++this.taken * 2 < this.window || this.outcome) return;
    this.host.send(moreFrame(this.id, this.taken));
    this.taken = 0;
  }

  private end(): Promise<IteratorResult<unknown>> {
    const outcome = this.outcome!;
    this.outcome = { ok: true, value: undefined };
    return outcome.ok ? Promise.resolve({ value: outcome.value, done: true }) : Promise.reject(outcome.error);
  }
}

/** A client stream being written: its credit, and the wake-up of a pump waiting for more. */
interface Writing {
  credit: number;
  done: boolean;
  wake: (() => void) | undefined;
}

/** The streams of one client, by request id. */
export class Streams {
  /** Made with the first stream: most clients open none. */
  #open: Map<number, Reading | Writing> | undefined;

  readonly #host: StreamHost;

  constructor(host: StreamHost) {
    this.#host = host;
  }

  /** Opens stream `name`: read when `options` has no `source`, written when it has. */
  start(
    name: string,
    input: unknown,
    options: StreamOptions | SendStreamOptions<unknown> = {},
  ): ServerStream<unknown, unknown> | Promise<unknown> {
    const controller = new AbortController();
    const { signal } = options;
    if (signal?.aborted) controller.abort(signal.reason);
    else signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    const id = this.#host.nextId();
    const sending = 'source' in options;
    const window = sending ? undefined : Math.max(1, Math.min(options.window ?? DEFAULT_WINDOW, 65_536));
    let answer: Promise<unknown>;
    try {
      const frame = streamFrame(id, name, this.#host.codec.encode(input), window);
      answer = this.#host.track(
        id,
        frame,
        name,
        { signal: controller.signal, timeout: NO_TIMEOUT },
        { call: true },
      );
    } catch (error) {
      answer = Promise.reject(
        new SockkitError('BAD_REQUEST', `input of ${name} cannot be encoded`, { cause: error }),
      );
    }
    const ended = (outcome: Outcome) => {
      this.#open?.delete(id);
      return outcome;
    };
    const outcome = answer.then(
      (value): Outcome => ended({ ok: true, value }),
      // A stream this side ended for a reason of its own (a chunk it cannot read) fails with it.
      (error: unknown): Outcome => {
        const reason: unknown = controller.signal.reason;
        const own = isSockkitError(reason) && reason.code !== 'CANCELLED';
        return ended({ ok: false, error: own ? reason : SockkitError.from(error) });
      },
    );
    if (sending) return this.#write(id, (options as SendStreamOptions<unknown>).source, controller, outcome);
    const reading = new Reading(id, window!, this.#host, controller, outcome);
    this.#open ??= new Map();
    this.#open.set(id, reading);
    return reading;
  }

  /** A `chunk` of a stream being read. */
  chunk(id: number, json: unknown, meta: unknown): void {
    const stream = this.#open?.get(id);
    if (!(stream instanceof Reading)) return;
    let value: unknown;
    try {
      value = this.#host.codec.decode(json, meta);
    } catch (error) {
      return stream.controller.abort(SockkitError.from(error));
    }
    stream.push(value);
  }

  /** A `more`: the server takes `n` more chunks of a stream being written. */
  more(id: number, n: number): void {
    const stream = this.#open?.get(id);
    if (!stream || stream instanceof Reading) return;
    stream.credit += n;
    stream.wake?.();
  }

  /** Pulls `source` as credit allows, sends `end`, and resolves with the server's answer. */
  async #write(
    id: number,
    source: AsyncIterable<unknown> | Iterable<unknown>,
    controller: AbortController,
    outcome: Promise<Outcome>,
  ): Promise<unknown> {
    const stream: Writing = { credit: 0, done: false, wake: undefined };
    this.#open ??= new Map();
    this.#open.set(id, stream);
    void outcome.then(() => {
      stream.done = true;
      stream.wake?.();
    });
    const iterator =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    let finished = false;
    try {
      for (;;) {
        while (stream.credit === 0 && !stream.done)
          await new Promise<void>((resolve) => {
            stream.wake = resolve;
          });
        if (stream.done) break;
        const step = await iterator.next();
        if (step.done) {
          finished = true;
          this.#host.send(endFrame(id));
          break;
        }
        if (stream.done) break;
        stream.credit--;
        this.#host.send(chunkFrame(id, this.#host.codec.encode(step.value)));
      }
    } catch (error) {
      // The source (or encoding one of its chunks) failed: the stream is cancelled, the caller gets why.
      finished = true;
      controller.abort(error);
      throw error;
    } finally {
      if (!finished) await iterator.return?.();
    }
    const result = await outcome;
    if (result.ok) return result.value;
    throw result.error;
  }
}

declare const part: unique symbol;

/**
 * The part that lets a client open streams, opaque: give it as the client's `streams` option
 * (`createSockkitClient<typeof contract>({ url, streams })`). A client without it has no
 * `stream` namespace, and an app that never imports it does not bundle streaming.
 */
export interface StreamsPart {
  /** Brands the part, so that only the `streams` export fits the option's type. */
  readonly [part]: 'streams';
}

/** What a {@link StreamsPart} is at run time: the maker of a client's streams. @internal */
export type MakeStreams = (host: StreamHost) => Streams;

/**
 * Streaming calls, for the client's `streams` option.
 *
 * @example
 * ```ts
 * const client = createSockkitClient<typeof contract>({ url: 'wss://example.com/ws', streams });
 * for await (const token of client.stream.tokens({ prompt: 'Hi' })) console.log(token);
 * ```
 */
export const streams: StreamsPart = ((host: StreamHost) =>
  new Streams(host)) as MakeStreams as unknown as StreamsPart;
