/**
 * relayTarget: lets a {@link RedisRelay} run calls on a sockkit server's local connections,
 * using only the server's public API (`connections`, `connectionsOf`, `conn.call`).
 */
import { type Codec, type EncodedPayload, SockkitError, superjsonCodec } from '@sockkit/core';
import type { RelayTarget } from './relay.js';

/** The part of a sockkit server the relay uses (a `SockkitServer` fits). */
export interface RelayableServer {
  readonly connections: ReadonlyMap<string, { readonly call: object }>;
  connectionsOf(user: string): readonly { readonly id: string }[];
}

type CallFn = (input: unknown, options: { timeout: number }) => Promise<unknown>;

/**
 * Adapts `server` for {@link RedisRelay.serve}. Inputs arrive encoded by the calling node and
 * are decoded once here; the client's answer is encoded once for the way back. `codec` must
 * be the server's codec (default superjson).
 *
 * @example
 * ```ts
 * const relay = new RedisRelay({ link: broker.link });
 * relay.serve(relayTarget(server));
 * await relay.start();
 * ```
 */
export function relayTarget(server: RelayableServer, codec: Codec = superjsonCodec): RelayTarget {
  return {
    call(conn, procedure, input, timeoutMs) {
      const connection = server.connections.get(conn);
      if (!connection) return undefined;
      const fn = (connection.call as Record<string, CallFn | undefined>)[procedure];
      if (typeof fn !== 'function') {
        return Promise.reject(new SockkitError('NOT_FOUND', `no client procedure '${procedure}'`));
      }
      return fn(decode(codec, input), { timeout: timeoutMs }).then((output) => codec.encode(output));
    },
    connectionsOf(user) {
      return server.connectionsOf(user).map((connection) => connection.id);
    },
  };
}

function decode(codec: Codec, payload: EncodedPayload): unknown {
  const json = payload.json === undefined ? undefined : JSON.parse(payload.json);
  const meta = payload.meta === undefined ? undefined : JSON.parse(payload.meta);
  return codec.decode(json, meta);
}
