/**
 * Messages a client sent behind `hello`, kept while `authenticate` runs and handled in order
 * once it succeeds (protocol v2, docs/protocol.md "Before welcome"). Bounded by EARLY_BOUNDS,
 * in messages and in the UTF-8 bytes of the frames that carried them (a batch is charged once,
 * whole): what a client holding to the bounds sends is always kept, so passing them is a
 * protocol error, answered LIMIT_EXCEEDED by id.
 */
import type { WireError } from '@sockkit/core';
import { type ClientMessage, EARLY_BOUNDS } from '@sockkit/core/protocol';

/** A kept message and the sizes its handling needs. */
export interface EarlyMessage {
  readonly message: ClientMessage;
  /** Its size when alone in its frame. */
  readonly bytes: number | undefined;
  /** The size of the frame it came in (a chunk's size check reads it). */
  readonly frameBytes: number;
}

/** The messages of one connection that arrived before its handshake completed. */
export class EarlyMessages {
  private readonly kept: EarlyMessage[] = [];
  private bytes = 0;
  /** The frame charged last, so each frame counts once. */
  private lastFrame = -1;

  /**
   * Keeps `message`, the `frame`-th of its connection; the error to answer instead when it
   * would pass a bound.
   */
  keep(
    message: ClientMessage,
    bytes: number | undefined,
    frameBytes: number,
    frame: number,
  ): WireError | undefined {
    const charge = frame === this.lastFrame ? 0 : frameBytes;
    if (this.kept.length >= EARLY_BOUNDS.messages || this.bytes + charge > EARLY_BOUNDS.bytes) {
      return {
        code: 'LIMIT_EXCEEDED',
        message: `more than ${EARLY_BOUNDS.messages} messages or ${EARLY_BOUNDS.bytes} bytes before welcome`,
        details: { limit: EARLY_BOUNDS.messages, bytes: EARLY_BOUNDS.bytes },
      };
    }
    this.lastFrame = frame;
    this.bytes += charge;
    this.kept.push({ message, bytes, frameBytes });
    return undefined;
  }

  /** The kept messages, oldest first. */
  all(): readonly EarlyMessage[] {
    return this.kept;
  }
}
