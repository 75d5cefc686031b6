/**
 * The configuration one server shares with all its modules: contract, handlers, hooks,
 * limits and services, with the contract's generics erased. Internal. It holds no module and
 * no connection: each module gets what it uses from the server that composes them.
 */
import type { Clock, Codec, ContractDef, Limits } from '@sockkit/core';
import type { Logger } from './logger.js';
import type { Observers } from './observers.js';
import type { AuthRequest, AuthResult, Middleware, SockkitServer, TopicHookContext } from './options.js';

/** A handler with types erased; the public API types it from the contract. */
export type AnyHandler = (input: unknown, ctx: unknown) => unknown;

/** Topic hooks with types erased. */
export interface ErasedTopicHooks {
  authorize?: {
    subscribe?: (ctx: TopicHookContext<unknown, unknown, unknown>) => boolean | Promise<boolean>;
    publish?: (ctx: TopicHookContext<unknown, unknown, unknown>) => boolean | Promise<boolean>;
  };
  onPublish?: (message: unknown, ctx: TopicHookContext<unknown, unknown, unknown>) => unknown;
  onPresence?: (state: unknown, ctx: TopicHookContext<unknown, unknown, unknown>) => unknown;
}

/** Shared server state, erased of the contract's generics. */
export interface ServerRuntime {
  readonly contract: ContractDef;
  readonly handlers: Readonly<Record<string, AnyHandler>>;
  readonly topicHooks: Readonly<Record<string, ErasedTopicHooks>>;
  readonly middleware: readonly Middleware[];
  readonly authenticate:
    | ((request: AuthRequest) => AuthResult<unknown> | Promise<AuthResult<unknown>>)
    | undefined;
  readonly limits: Readonly<Limits>;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly validateOutput: boolean;
  /** Whether connections trace their frames through `logger.debug` (trace.ts). */
  readonly trace: boolean;
  /** Who watches this server; `observers.hub` is undefined while nobody does (observers.ts). */
  readonly observers: Observers;
  /** False once `close()` began: new calls get UNAVAILABLE. */
  accepting: boolean;
  /** The server's API, as handlers and hooks see it (`ctx.server`); set once it is built. */
  server: SockkitServer<unknown, unknown>;
}
