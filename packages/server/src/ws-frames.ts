/**
 * The one place sockkit writes WebSocket frames itself: a text frame built in one buffer
 * (header and UTF-8 payload, RFC 6455 §5.2, unmasked as a server's are) and written as is
 * through the socket's sender (`socket._sender.sendFrame`, a ws internal, as Socket.IO uses
 * it for pre-encoded frames). One buffer and one socket write per batch: `ws.send()` makes a
 * header buffer and a payload buffer and writes them corked, which costs a writev and its
 * bookkeeping on every flush. The same frame also goes to many sockets (fan-out). Where the
 * sender is missing, or an extension rewrites frames, sockkit falls back to `ws.send()`, and
 * test/flusher.test.ts fails so that the loss is seen, not only felt as a slower server.
 */
import type { WebSocket } from 'ws';

type Sender = { sendFrame?: (list: Buffer[], cb?: () => void) => void };

/** FIN and the text opcode: a whole text frame. */
const FIN_TEXT = 0x81;

/** A whole unmasked text frame for `text`. */
export function buildFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = FIN_TEXT;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header);
  return frame;
}

/** Whether `ws` can take a prebuilt frame: ws exposes its sender, and no extension rewrites frames. */
export function takesPrebuiltFrames(ws: WebSocket): boolean {
  const sender = (ws as unknown as { _sender?: Sender })._sender;
  return ws.extensions === '' && typeof sender?.sendFrame === 'function';
}

/** Writes a prebuilt frame; the caller checked {@link takesPrebuiltFrames}. */
export function writePrebuilt(ws: WebSocket, built: Buffer): void {
  (ws as unknown as { _sender: Required<Sender> })._sender.sendFrame([built]);
}
