/**
 * Server → client calls and disconnects across nodes: what the server gives a relay (e.g.
 * `RedisRelay` from `@sockkit/redis`) and what it expects from one. The relay carries a call
 * or a disconnect to whichever node holds the target connection; relay-calls.ts builds the
 * typed callers on top.
 */
import type { EncodedPayload, SockkitError } from '@sockkit/core';

/** What a relay needs from the local server. */
export interface RelayTarget {
  /**
   * Calls client procedure `procedure` on local connection `conn`; resolves with the encoded
   * result, or returns undefined when `conn` is not on this node.
   */
  call(
    conn: string,
    procedure: string,
    input: EncodedPayload,
    timeoutMs: number,
  ): Promise<EncodedPayload> | undefined;
  /** Ids of the local connections of `user`. */
  connectionsOf(user: string): string[];
  /**
   * Closes local connection `conn` with 4006 DISCONNECTED and `reason`; false when `conn` is
   * not an open connection of this node.
   */
  disconnect(conn: string, reason: string): boolean;
}

/** The answer of one of a user's connections, as a relay reports it. */
export type RelayUserResult =
  | { readonly conn: string; readonly ok: true; readonly result: EncodedPayload }
  | { readonly conn: string; readonly ok: false; readonly error: SockkitError };

/** Carries server → client calls between nodes. `RedisRelay` implements it. */
export interface ServerRelay {
  /** Registers the local server, so calls from other nodes reach its connections. */
  serve(target: RelayTarget): void;
  /** Starts listening for calls from other nodes. */
  start(): Promise<void>;
  /** Stops; calls awaiting answers fail with UNAVAILABLE. */
  close(): Promise<void>;
  /** Calls `procedure` on connection `conn`, wherever it lives (NOT_FOUND when nowhere). */
  call(
    conn: string,
    procedure: string,
    input: EncodedPayload,
    options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  ): Promise<EncodedPayload>;
  /** Calls `procedure` on every connection of `user` on every node. */
  callUser(
    user: string,
    procedure: string,
    input: EncodedPayload,
    options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  ): Promise<RelayUserResult[]>;
  /**
   * Closes connection `conn` with 4006 DISCONNECTED and `reason`, wherever it lives; resolves
   * with how many connections were closed (0 or 1).
   */
  disconnect(conn: string, reason: string): Promise<number>;
  /**
   * Closes every connection of `user` on every node with 4006 DISCONNECTED and `reason`;
   * resolves with how many were closed.
   */
  disconnectUser(user: string, reason: string): Promise<number>;
}

/** The answer of one connection to a call made to all of a user's connections. */
export type UserCallResult<T> =
  | { readonly conn: string; readonly ok: true; readonly value: T }
  | { readonly conn: string; readonly ok: false; readonly error: SockkitError };
