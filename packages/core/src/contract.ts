/**
 * `defineContract`: the single source of truth shared by server and client. It holds zod
 * schemas only; every type on both sides is inferred from them (see infer.ts).
 */
import type * as z from 'zod';

/** A procedure: what the caller sends and what the handler answers. */
export interface ProcedureDef {
  /** Input schema; omit for a procedure that takes no input. */
  input?: z.ZodType;
  /** Output schema. */
  output: z.ZodType;
  /**
   * Safe to run twice. An idempotent call in flight when the link drops is re-sent after
   * reconnect instead of failing with UNAVAILABLE.
   */
  idempotent?: boolean;
  /** Default timeout for calls of this procedure, in ms (overrides the caller's default). */
  timeout?: number;
}

/** A topic: a family of channels (one per distinct params) carrying typed messages. */
export interface TopicDef {
  /** Schema of every message on the topic, as subscribers receive it. */
  message: z.ZodType;
  /**
   * Schema of what a client publishes, when it differs from what subscribers receive (fields
   * the server stamps, such as the author). The server's `onPublish` hook turns a validated
   * publish into the message, which is then checked against `message`. Default: `message`.
   */
  publishInput?: z.ZodType;
  /** Parameters naming one channel of the topic, e.g. `z.object({ id: z.string() })`. */
  params?: z.ZodType;
  /** Schema of the per-member presence state; presence is off for the topic without it. */
  presence?: z.ZodType;
  /** Who may publish: the server always; clients only when this is `'client'`. Default `'server'`. */
  publish?: 'server' | 'client';
  /** Messages skip history (typing indicators, cursors). Default `false`. */
  volatile?: boolean;
}

/**
 * A stream: one caller, many chunks in one direction, one final answer. A `'server'` stream
 * turns an input into chunks the handler yields (an async generator) and the caller reads with
 * `for await`; a `'client'` stream carries chunks from the caller to a handler that reads them
 * as an async iterable and answers once. Chunks flow under credit: the reader grants a window,
 * and the writer is not pulled beyond it (docs/protocol.md).
 */
export interface StreamDef {
  /** Who sends the chunks: the handler (`'server'`) or the caller (`'client'`). */
  direction: 'server' | 'client';
  /** Input schema; omit for a stream that takes no input. */
  input?: z.ZodType;
  /** Schema of every chunk; the server checks what clients send, and what handlers yield as it checks outputs. */
  chunk: z.ZodType;
  /**
   * Schema of the final value: what a server stream's generator returns, or what a client
   * stream's handler answers. Omit for none.
   */
  output?: z.ZodType;
  /**
   * Milliseconds without a chunk or a credit either way after which the stream ends with
   * TIMEOUT. Default: the server's `limits.streamIdleTimeoutMs`.
   */
  idleTimeout?: number;
}

/** The shape `defineContract` accepts. */
export interface ContractDef {
  /** Procedures clients call on the server. */
  server?: Record<string, ProcedureDef>;
  /** Procedures the server calls on a connected client. */
  client?: Record<string, ProcedureDef>;
  /** Pub/sub topics. */
  topics?: Record<string, TopicDef>;
  /** Streams clients open on the server. */
  streams?: Record<string, StreamDef>;
}

/** A checked contract. The brand stops a plain object from being passed where one is expected. */
export type Contract<T extends ContractDef = ContractDef> = T & { readonly '~sockkit': 'contract/v1' };

/** Names travel in frames: identifiers of at most 128 characters (`WIRE_BOUNDS.name`). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * A name a contract may use: an identifier of at most 128 characters, and none of the keys that
 * tools probe objects for (`then`, `toJSON`, `__…`), because the client's namespaces answer
 * every other key with a procedure or topic.
 */
export const isContractName = (name: string): boolean =>
  NAME.test(name) && name !== 'then' && name !== 'toJSON' && !name.startsWith('__');

/**
 * Declares the procedures and topics both sides agree on.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * export const contract = defineContract({
 *   server: { echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string() }) } },
 *   client: { confirm: { input: z.string(), output: z.boolean() } },
 *   topics: { chat: { params: z.object({ room: z.string() }), message: z.object({ text: z.string() }) } },
 *   streams: { tokens: { direction: 'server', input: z.string(), chunk: z.string() } },
 * });
 * ```
 */
export function defineContract<const T extends ContractDef>(def: T): Contract<T> {
  for (const section of ['server', 'client', 'topics', 'streams'] as const) {
    const entries = def[section];
    if (entries === undefined) continue;
    for (const [name, entry] of Object.entries(entries)) {
      if (!isContractName(name)) {
        throw new TypeError(
          `sockkit: ${section}.${name}: names must match ${NAME} (they travel on the wire) and not be then, toJSON or start with __`,
        );
      }
      const schemas = section === 'topics' ? ['message'] : section === 'streams' ? ['chunk'] : ['output'];
      if (section === 'streams') checkStream(name, entry as StreamDef);
      for (const key of schemas) {
        if (!isSchema((entry as unknown as Record<string, unknown>)[key])) {
          throw new TypeError(`sockkit: ${section}.${name}.${key} must be a zod schema`);
        }
      }
    }
  }
  return Object.freeze({ ...def, '~sockkit': 'contract/v1' as const });
}

function checkStream(name: string, def: StreamDef): void {
  if (def.direction !== 'server' && def.direction !== 'client')
    throw new TypeError(`sockkit: streams.${name}.direction must be 'server' or 'client'`);
  for (const key of ['input', 'output'] as const)
    if (def[key] !== undefined && !isSchema(def[key]))
      throw new TypeError(`sockkit: streams.${name}.${key} must be a zod schema`);
}

function isSchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as z.ZodType).safeParse === 'function';
}

/** Looks up an own entry of a contract section, safe against names like `__proto__`. */
export function lookup<V>(section: Record<string, V> | undefined, name: string): V | undefined {
  return section !== undefined && Object.hasOwn(section, name) ? section[name] : undefined;
}
