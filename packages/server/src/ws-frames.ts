/**
 * The one place sockkit relies on `ws` internals: a frame built once (header and UTF-8
 * payload in one buffer, `Sender.frame`) and written as is to many sockets
 * (`socket._sender.sendFrame`), as Socket.IO does with pre-encoded frames. Both are checked
 * here; where they are missing sockkit falls back to `ws.send()`, and
 * test/ws-frames.test.ts fails so that the loss is seen, not only felt as a slower fan-out.
 */
import type { WebSocket } from 'ws';
import * as wsModule from 'ws';

type SenderClass = { frame?: (data: Buffer, options: object) => Buffer[] };
type Sender = { sendFrame?: (list: Buffer[], cb?: () => void) => void };

const TEXT_FRAME = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };
const frame = (wsModule as unknown as { Sender?: SenderClass }).Sender?.frame;

/** Whether this version of ws lets sockkit build frames once for many sockets. */
export const canBuildFrames = typeof frame === 'function';

/** A whole unmasked text frame for `text`, or undefined if this ws cannot build one. */
export function buildFrame(text: string): Buffer | undefined {
  return canBuildFrames ? Buffer.concat(frame!(Buffer.from(text), TEXT_FRAME)) : undefined;
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
