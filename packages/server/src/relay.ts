/**
 * Server → client calls across nodes. A relay (e.g. `RedisRelay` from `@sockkit/redis`)
 * carries a call to whichever node holds the target connection; this file defines what the
 * server gives a relay and what it expects from one, and builds the typed callers
 * `server.connection(id).call.*` and `server.user(key).call.*` on top.
 */
import {
  type Codec,
  type ContractDef,
  type EncodedPayload,
  lookup,
  SockkitError,
  validate,
} from '@sockkit/core';
import type { Connection } from './connection.js';
import type { ServerCallOptions } from './options.js';

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
}

/** The answer of one connection to a call made to all of a user's connections. */
export type UserCallResult<T> =
  | { readonly conn: string; readonly ok: true; readonly value: T }
  | { readonly conn: string; readonly ok: false; readonly error: SockkitError };

const DEFAULT_TIMEOUT_MS = 30_000;

/** Decodes a payload a relay carried. */
export function decodePayload(codec: Codec, payload: EncodedPayload): unknown {
  const json = payload.json === undefined ? undefined : JSON.parse(payload.json);
  const meta = payload.meta === undefined ? undefined : JSON.parse(payload.meta);
  return codec.decode(json, meta);
}

/** The relay target for this server's local connections. */
export function localTarget(
  connections: ReadonlyMap<string, Connection>,
  byUser: (user: string) => string[],
  codec: Codec,
): RelayTarget {
  return {
    call(conn, procedure, input, timeoutMs) {
      const connection = connections.get(conn);
      if (!connection) return undefined;
      return connection
        .callClient(procedure, decodePayload(codec, input), { timeout: timeoutMs })
        .then((output) => codec.encode(output));
    },
    connectionsOf: byUser,
  };
}

/**
 * Calls a client procedure on a connection of any node: validates the input here, lets the
 * relay carry it, validates the result on arrival.
 */
export async function relayCall(
  relay: ServerRelay | undefined,
  contract: ContractDef,
  codec: Codec,
  conn: string,
  name: string,
  input: unknown,
  options: ServerCallOptions = {},
): Promise<unknown> {
  const def = lookup(contract.client, name);
  if (!def) throw new SockkitError('NOT_FOUND', `no client procedure '${name}' in the contract`);
  if (!relay)
    throw new SockkitError('NOT_FOUND', `no connection ${conn} on this node (and no relay to other nodes)`);
  const value = def.input ? validate(def.input, input, `input of client.${name}`) : undefined;
  const timeoutMs = options.timeout ?? def.timeout ?? DEFAULT_TIMEOUT_MS;
  const reply = await relay.call(conn, name, codec.encode(value), { timeoutMs, signal: options.signal });
  return validate(def.output, decodePayload(codec, reply), `result of client.${name}`);
}

/** Calls a client procedure on every connection of `user`, local ones and, with a relay, remote ones. */
export async function userCall(
  relay: ServerRelay | undefined,
  local: () => Connection[],
  contract: ContractDef,
  codec: Codec,
  user: string,
  name: string,
  input: unknown,
  options: ServerCallOptions = {},
): Promise<UserCallResult<unknown>[]> {
  const def = lookup(contract.client, name);
  if (!def) throw new SockkitError('NOT_FOUND', `no client procedure '${name}' in the contract`);
  const value = def.input ? validate(def.input, input, `input of client.${name}`) : undefined;
  const timeoutMs = options.timeout ?? def.timeout ?? DEFAULT_TIMEOUT_MS;
  if (relay) {
    const results = await relay.callUser(user, name, codec.encode(value), {
      timeoutMs,
      signal: options.signal,
    });
    return results.map((r) => {
      if (!r.ok) return r;
      try {
        return {
          conn: r.conn,
          ok: true,
          value: validate(def.output, decodePayload(codec, r.result), `result of client.${name}`),
        };
      } catch (error) {
        return { conn: r.conn, ok: false, error: SockkitError.from(error) };
      }
    });
  }
  return Promise.all(
    local().map((conn) =>
      conn.callClient(name, value, { ...options, timeout: timeoutMs }).then(
        (output): UserCallResult<unknown> => ({ conn: conn.id, ok: true, value: output }),
        (error: unknown): UserCallResult<unknown> => ({
          conn: conn.id,
          ok: false,
          error: SockkitError.from(error),
        }),
      ),
    ),
  );
}
