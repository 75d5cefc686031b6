/**
 * @sockkit/client/node: the client for Node, on `ws` (Node 20 has no global WebSocket).
 *
 * @packageDocumentation
 */
import type { ContractDef } from '@sockkit/core';
import WebSocket from 'ws';
import { createSockkitClient as create, createSockkitCallClient as createCalls } from './create.js';
import type { SocketLike } from './environment.js';
import type { CallClientOptions, ClientOptions, ContractClientOptions } from './options.js';

export * from './index.js';

/**
 * ws behind the part of the browser API the client uses, on ws's own events rather than its
 * EventTarget layer, which wraps every listener and builds an event object per event: a
 * MessageEvent per frame on a fan-out, and four wrappers and an Open/CloseEvent per connect.
 * Listeners get only the fields the client reads (`data`; `code` and `reason`).
 */
class NodeSocket implements SocketLike {
  private readonly ws: WebSocket;

  constructor(url: string, protocols: string[]) {
    // A sockkit server never accepts permessage-deflate (its frames are small JSON); offering
    // it costs every connect an extension object and a header.
    this.ws = new WebSocket(url, protocols, { perMessageDeflate: false });
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void {
    const ws = this.ws;
    if (type === 'message') {
      const deliver = listener as (event: { data: unknown }) => void;
      ws.on('message', (data, binary) => deliver({ data: binary ? data : data.toString() }));
    } else if (type === 'close') {
      const closed = listener as (event: { code: number; reason: string }) => void;
      ws.on('close', (code, reason) => closed({ code, reason: reason.toString() }));
    } else ws.on(type, listener as () => void);
  }
}

// The casts: an implementation cannot be checked against several overloads; the browser
// build's factories are, and these only add the socket.

/** Creates a client that connects with `ws`. Same options (and overloads) as the browser build. */
export const createSockkitClient = ((options: ClientOptions<ContractDef>) =>
  create({ WebSocket: NodeSocket, ...options } as ContractClientOptions<ContractDef>)) as typeof create;

/** Creates a calls-only client that connects with `ws`. Same options (and overloads) as the browser build. */
export const createSockkitCallClient = ((options: CallClientOptions<ContractDef>) =>
  createCalls({ WebSocket: NodeSocket, ...options })) as typeof createCalls;
