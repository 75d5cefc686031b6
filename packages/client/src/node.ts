/**
 * @sockkit/client/node: the client for Node, on `ws` (Node 20 has no global WebSocket).
 *
 * @packageDocumentation
 */
import type { ContractDef } from '@sockkit/core';
import WebSocket from 'ws';
import { createSockkitClient as create } from './client.js';
import type { SocketConstructor } from './environment.js';
import type { ClientOptions, SockkitClient } from './options.js';

export * from './index.js';

/** Creates a client that connects with `ws`. Same options as the browser build. */
export function createSockkitClient<const C extends ContractDef>(
  options: ClientOptions<C>,
): SockkitClient<C> {
  return create({ WebSocket: WebSocket as unknown as SocketConstructor, ...options });
}
