/**
 * What the client needs from its runtime: a WebSocket constructor, and in browsers the
 * signals that the network is back (`online`) or the tab is visible again.
 */

/** The part of the WebSocket API the client uses (browsers' and ws's both fit). */
export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The subprotocol the server chose. */
  readonly protocol: string;
  /** Sends a text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Listens to socket events. */
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
}

/** A WebSocket constructor. */
export type SocketConstructor = new (url: string, protocols: string[]) => SocketLike;

/** The WebSocket constructor to use: the given one, else the global one. */
export function resolveWebSocket(given: SocketConstructor | undefined): SocketConstructor {
  const ctor = given ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (typeof ctor !== 'function') {
    throw new TypeError(
      given !== undefined
        ? 'sockkit: the WebSocket option must be a WebSocket constructor'
        : "sockkit: no global WebSocket here; in Node import createSockkitClient from '@sockkit/client/node' or pass { WebSocket }",
    );
  }
  return ctor;
}

/** What {@link onWake} returns where there is nothing to listen to (Node): shared, not made per client. */
const NOTHING_TO_STOP = (): void => {};

/** Calls `wake` when a browser comes back online or its tab becomes visible; returns a remover. */
export function onWake(wake: () => void): () => void {
  const target = globalThis as unknown as {
    addEventListener?: (type: string, listener: () => void) => void;
    removeEventListener?: (type: string, listener: () => void) => void;
    document?: {
      visibilityState?: string;
      addEventListener(t: string, l: () => void): void;
      removeEventListener(t: string, l: () => void): void;
    };
  };
  if (typeof target.addEventListener !== 'function' || !target.document) return NOTHING_TO_STOP;
  const doc = target.document;
  const onVisible = () => {
    if (doc.visibilityState === 'visible') wake();
  };
  target.addEventListener('online', wake);
  doc.addEventListener('visibilitychange', onVisible);
  return () => {
    target.removeEventListener?.('online', wake);
    doc.removeEventListener('visibilitychange', onVisible);
  };
}
