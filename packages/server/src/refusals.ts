/**
 * Sockets the server will not serve, and what it says about them. A refused origin, a protocol
 * version it does not speak and a full server are refused right after the upgrade, before
 * anything is read (no handler, no `authenticate` runs); a refused handshake after `hello`.
 * Each closes with a close code of its own and a reason, which a client reports in its `error`
 * event (a browser never shows a page the HTTP status of a refused upgrade, only a close code),
 * and is logged with the remote address: at info, at error when `authenticate` itself threw,
 * within one budget per server, since a refused client may retry in a loop.
 */
import { type Clock, unrefTimer } from '@sockkit/core';
import type { WebSocket } from 'ws';
import { CLOSE_GRACE_MS, truncateReason } from './close-reason.js';
import { LogBudget } from './log-budget.js';
import type { Logger } from './logger.js';
import type { Observers } from './observers.js';

/** Why a socket is refused: its close code and reason. */
export interface Refusal {
  readonly code: number;
  readonly reason: string;
}

/** The refusals of one server. */
export class Refusals {
  private readonly budget: LogBudget;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly observers: Observers,
  ) {
    this.budget = new LogBudget(clock);
  }

  /** Logs a refused connection from `remoteAddress`; `error` is what `authenticate` threw, if it did. */
  log(remoteAddress: string | undefined, refusal: Refusal, error?: unknown): void {
    const fields = { remoteAddress, code: refusal.code, reason: truncateReason(refusal.reason) };
    this.observers.hub?.refused(fields);
    const meta = this.budget.admit(error === undefined ? fields : { ...fields, err: error });
    if (!meta) return;
    if (error === undefined) this.logger.info?.(meta, 'connection refused');
    else this.logger.error(meta, 'connection refused: authenticate threw');
  }

  /** Closes a socket that will not become a connection, and logs why. */
  close(ws: WebSocket, remoteAddress: string | undefined, refusal: Refusal): void {
    this.log(remoteAddress, refusal);
    ws.on('error', () => {});
    ws.close(refusal.code, truncateReason(refusal.reason));
    unrefTimer(this.clock.setTimeout(() => ws.terminate(), CLOSE_GRACE_MS));
  }
}
