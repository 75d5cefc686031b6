/**
 * A WebSocket for `createSockkitClient({ WebSocket })` that records every message the client
 * sends, batches flattened, so a test asserts on the frames as sent.
 */
import type { SocketConstructor } from '@sockkit/client';
import WebSocket from 'ws';

/** One message the client sent, as parsed from its frame. */
export type SentMessage = { t: string } & Record<string, unknown>;

/** A socket class recording into `sent`: pass it as the client's `WebSocket` option. */
export function recordingSocket(sent: SentMessage[]): SocketConstructor {
  return class RecordingSocket {
    readonly #ws: WebSocket;
    constructor(address: string, protocols: string[]) {
      this.#ws = new WebSocket(address, protocols, { perMessageDeflate: false });
    }
    get readyState(): number {
      return this.#ws.readyState;
    }
    get protocol(): string {
      return this.#ws.protocol;
    }
    send(data: string): void {
      const parsed = JSON.parse(data) as SentMessage | SentMessage[];
      sent.push(...(Array.isArray(parsed) ? parsed : [parsed]));
      this.#ws.send(data);
    }
    close(code?: number, reason?: string): void {
      this.#ws.close(code, reason);
    }
    addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void {
      if (type !== 'message') return this.#ws.addEventListener(type, listener as () => void);
      const deliver = listener as (event: { data: unknown }) => void;
      this.#ws.on('message', (data, binary) => deliver({ data: binary ? data : data.toString() }));
    }
  };
}
