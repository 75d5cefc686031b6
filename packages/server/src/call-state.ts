/**
 * One running call or stream and the context its handler sees. The AbortController behind
 * `signal` is created only if the handler reads `signal`, so a call that never looks costs none.
 */
import type { ErrorCode, SockkitError, TimerHandle } from '@sockkit/core';
import type { CallWatch } from './observer.js';
import type { CallContext, ServerConnection, SockkitServer } from './options.js';
import type { Peer } from './peer.js';
import type { ServerRuntime } from './runtime.js';

/** `cancelled`: the client gave up (answer CANCELLED when the handler settles); `answered`: replied. */
export type Phase = 'running' | 'cancelled' | 'answered';

/** A running call or stream of one connection. */
export class CallState implements CallContext {
  private controller: AbortController | undefined;
  private abortReason: SockkitError | undefined;
  /** `cancelled`: the client gave up (answer CANCELLED when the handler settles); `answered`: replied. */
  phase: Phase = 'running';
  timer: TimerHandle | undefined;
  /** What observes this call, if anything does; then `startedAt` and `code` are kept for it. */
  watch: CallWatch | undefined;
  startedAt = 0;
  code: 'OK' | ErrorCode = 'OK';

  constructor(
    private readonly peer: Peer,
    private readonly rt: ServerRuntime,
    readonly id: number,
    readonly procedure: string,
  ) {}

  get server(): SockkitServer<unknown, unknown> {
    return this.rt.server;
  }

  get auth(): unknown {
    return this.peer.auth;
  }

  get conn(): ServerConnection {
    return this.peer.facade;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Aborts the handler's signal. */
  abort(reason: SockkitError): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
