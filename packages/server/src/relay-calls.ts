/**
 * The typed callers `server.connection(id).call.*` and `server.user(key).call.*`, and their
 * `disconnect`: directly on this node's connections, through the relay on others. Each value is validated once, by
 * whoever receives it from a client: inputs by the client, results by the node holding the
 * connection (client-calls.ts), so a transforming schema never sees its own output.
 */
import { type Codec, type ContractDef, SockkitError } from '@sockkit/core';
import { decodePayload, lookup } from '@sockkit/core/protocol';
import type { ServerCallOptions } from './options.js';
import type { RelayTarget, ServerRelay, UserCallResult } from './relay.js';

/** A connection of this node that the server can call. */
export interface LocalCallee {
  readonly id: string;
  callClient(name: string, input: unknown, options?: ServerCallOptions): Promise<unknown>;
  /** Closes it with 4006 DISCONNECTED; false when it was not open. */
  disconnect(reason: string): boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The relay target for this server's local connections. */
export function localTarget(
  connections: ReadonlyMap<string, LocalCallee>,
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
    disconnect: (conn, reason) => connections.get(conn)?.disconnect(reason) ?? false,
  };
}

/** Calls a client procedure on a connection of any node (its node validated the result). */
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
  const timeoutMs = options.timeout ?? def.timeout ?? DEFAULT_TIMEOUT_MS;
  const reply = await relay.call(conn, name, codec.encode(input), { timeoutMs, signal: options.signal });
  return decodePayload(codec, reply);
}

/** Calls a client procedure on every connection of `user`, local ones and, with a relay, remote ones. */
export async function userCall(
  relay: ServerRelay | undefined,
  local: () => LocalCallee[],
  contract: ContractDef,
  codec: Codec,
  user: string,
  name: string,
  input: unknown,
  options: ServerCallOptions = {},
): Promise<UserCallResult<unknown>[]> {
  const def = lookup(contract.client, name);
  if (!def) throw new SockkitError('NOT_FOUND', `no client procedure '${name}' in the contract`);
  const timeoutMs = options.timeout ?? def.timeout ?? DEFAULT_TIMEOUT_MS;
  if (relay) {
    const results = await relay.callUser(user, name, codec.encode(input), {
      timeoutMs,
      signal: options.signal,
    });
    return results.map((r) => {
      if (!r.ok) return r;
      try {
        return { conn: r.conn, ok: true, value: decodePayload(codec, r.result) };
      } catch (error) {
        return { conn: r.conn, ok: false, error: SockkitError.from(error) };
      }
    });
  }
  return Promise.all(
    local().map((conn) =>
      conn.callClient(name, input, { ...options, timeout: timeoutMs }).then(
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

/** Disconnects connection `conn`, on this node or, with a relay, any node: how many were closed. */
export async function disconnectConnection(
  relay: ServerRelay | undefined,
  connections: ReadonlyMap<string, LocalCallee>,
  conn: string,
  reason: string,
): Promise<number> {
  if (relay) return relay.disconnect(conn, reason);
  return connections.get(conn)?.disconnect(reason) ? 1 : 0;
}

/** Disconnects every connection of `user`, on this node or, with a relay, every node: how many were closed. */
export async function disconnectUser(
  relay: ServerRelay | undefined,
  local: () => LocalCallee[],
  user: string,
  reason: string,
): Promise<number> {
  if (relay) return relay.disconnectUser(user, reason);
  return local().filter((conn) => conn.disconnect(reason)).length;
}
