/**
 * Type helpers that carry a contract's schemas to both sides. Callers see `z.input` of a
 * schema (what they may pass), handlers see `z.output` (what validation produced). Nothing
 * here is inferred from handler code, which keeps editors fast and errors local.
 */
import type * as z from 'zod';
import type { ContractDef, ProcedureDef, StreamDef, TopicDef } from './contract.js';

/** Section `K` of contract `C`, or an empty record when the contract has none. */
export type ContractSection<C, K extends keyof ContractDef> = C extends { [P in K]: infer S }
  ? S extends object
    ? S
    : Record<never, never>
  : Record<never, never>;

/** The server procedures of contract `C`. */
export type ServerProcedures<C> = ContractSection<C, 'server'>;
/** The client procedures of contract `C`. */
export type ClientProcedures<C> = ContractSection<C, 'client'>;
/** The topics of contract `C`. */
export type Topics<C> = ContractSection<C, 'topics'>;
/** The streams of contract `C`. */
export type Streams<C> = ContractSection<C, 'streams'>;

/** What a caller passes to procedure `P`. */
export type CallInput<P> = P extends { input: infer I extends z.ZodType } ? z.input<I> : undefined;
/** What the handler of `P` receives after validation. */
export type HandlerInput<P> = P extends { input: infer I extends z.ZodType } ? z.output<I> : undefined;
/** What the handler of `P` returns. */
export type HandlerOutput<P> = P extends { output: infer O extends z.ZodType } ? z.input<O> : never;
/** What a caller of `P` receives. */
export type CallOutput<P> = P extends { output: infer O extends z.ZodType } ? z.output<O> : never;

/** Arguments of a typed call: input is optional when the procedure accepts `undefined`. */
export type CallArgs<P, Options> =
  undefined extends CallInput<P>
    ? [input?: CallInput<P>, options?: Options]
    : [input: CallInput<P>, options?: Options];

/** A typed caller object: one method per procedure. */
export type Caller<Procs, Options> = {
  [K in keyof Procs]: (...args: CallArgs<Procs[K], Options>) => Promise<CallOutput<Procs[K]>>;
};

/** Handlers for procedures `Procs`, each given the validated input and a context. */
export type Handlers<Procs, Ctx> = {
  [K in keyof Procs]: (
    input: HandlerInput<Procs[K]>,
    ctx: Ctx,
  ) => HandlerOutput<Procs[K]> | Promise<HandlerOutput<Procs[K]>>;
};

/** Params a subscriber/publisher passes for topic `T`. */
export type TopicParamsInput<T> = T extends { params: infer P extends z.ZodType } ? z.input<P> : undefined;
/** Params after validation, as server hooks see them. */
export type TopicParams<T> = T extends { params: infer P extends z.ZodType } ? z.output<P> : undefined;
/** A message as a publisher passes it. */
export type TopicMessageInput<T> = T extends { message: infer M extends z.ZodType } ? z.input<M> : never;
/** A message as subscribers and hooks receive it. */
export type TopicMessage<T> = T extends { message: infer M extends z.ZodType } ? z.output<M> : never;
/** What a client publishes to topic `T`: `publishInput`'s input type, else the message's. */
export type TopicPublishInput<T> = T extends { publishInput: infer P extends z.ZodType }
  ? z.input<P>
  : TopicMessageInput<T>;
/** A client's publish after validation, as the server's `onPublish` hook receives it. */
export type TopicPublished<T> = T extends { publishInput: infer P extends z.ZodType }
  ? z.output<P>
  : TopicMessage<T>;
/** Presence state as a member sets it. */
export type PresenceStateInput<T> = T extends { presence: infer S extends z.ZodType } ? z.input<S> : never;
/** Presence state as others see it. */
export type PresenceState<T> = T extends { presence: infer S extends z.ZodType } ? z.output<S> : never;

/** Names of the topics of `C` that clients may publish to. */
export type ClientPublishableTopics<C> = {
  [K in keyof Topics<C>]: Topics<C>[K] extends { publish: 'client' } ? K : never;
}[keyof Topics<C>];

/** A chunk of stream `S` as its writer passes it. */
export type StreamChunkInput<S> = S extends { chunk: infer K extends z.ZodType } ? z.input<K> : never;
/** A chunk of stream `S` as its reader receives it. */
export type StreamChunk<S> = S extends { chunk: infer K extends z.ZodType } ? z.output<K> : never;
/** The final value of stream `S` as the caller receives it (`undefined` without `output`). */
export type StreamOutput<S> = S extends { output: infer O extends z.ZodType } ? z.output<O> : undefined;
/** The final value of stream `S` as its handler returns it (`never` without `output`). */
export type StreamHandlerOutput<S> = S extends { output: infer O extends z.ZodType } ? z.input<O> : never;

/**
 * What the handler of server stream `S` returns: an async iterable of chunks (an async
 * generator, typically); with an `output`, an async generator whose return value is it.
 */
export type ServerStreamSource<S> = S extends { output: z.ZodType }
  ? AsyncGenerator<StreamChunkInput<S>, StreamHandlerOutput<S>, undefined>
  : AsyncIterable<StreamChunkInput<S>>;

/**
 * Handlers for streams `Defs`: a server stream's handler takes the input and returns its chunks;
 * a client stream's handler reads the caller's validated chunks and answers once.
 */
export type StreamHandlers<Defs, Ctx> = {
  [K in keyof Defs]: Defs[K] extends { direction: 'client' }
    ? (
        chunks: AsyncIterable<StreamChunk<Defs[K]>>,
        input: HandlerInput<Defs[K]>,
        ctx: Ctx,
      ) => ClientStreamAnswer<Defs[K]>
    : (input: HandlerInput<Defs[K]>, ctx: Ctx) => ServerStreamSource<Defs[K]>;
};

/** What the handler of client stream `S` answers: its output, or nothing without one. */
export type ClientStreamAnswer<S> = S extends { output: z.ZodType }
  ? StreamHandlerOutput<S> | Promise<StreamHandlerOutput<S>>
  : void | Promise<void>;

/** Re-exported for packages that build on the contract shape. */
export type { ContractDef, ProcedureDef, StreamDef, TopicDef };
