/**
 * WebSocket ping/pong heartbeat: one interval for the whole server, and the liveness table it
 * keeps. Each tick terminates the connections that showed no sign of life since the previous
 * tick's ping, and pings the rest. Connections report signs of life (any frame, a pong) with
 * `seen`. Only connections pinged and not heard from since are kept, so a server of healthy
 * connections keeps (almost) nothing here.
 */
import { type Clock, type TimerHandle, unrefTimer } from '@sockkit/core';
import type { Peer } from './peer.js';

/** The heartbeat of one server. */
export class Heartbeat {
  /** Peers pinged by the last tick that showed no sign of life since. */
  private readonly awaiting = new Set<Peer>();
  private handle: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly peers: () => Iterable<Peer>,
  ) {}

  /** Starts ticking (a no-op when the interval is 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.handle !== undefined) return;
    this.handle = this.clock.setInterval(() => this.tick(), this.intervalMs);
    unrefTimer(this.handle);
  }

  /** Stops ticking. */
  stop(): void {
    if (this.handle !== undefined) this.clock.clearInterval(this.handle);
    this.handle = undefined;
  }

  /** `peer` showed a sign of life. */
  seen(peer: Peer): void {
    if (this.awaiting.size > 0) this.awaiting.delete(peer); // on every frame: free when no ping waits
  }

  /** `peer` closed: nothing is kept for it. */
  forget(peer: Peer): void {
    this.awaiting.delete(peer);
  }

  private tick(): void {
    for (const peer of this.peers()) {
      if (this.awaiting.delete(peer)) {
        // A peer that stopped answering cannot complete a close handshake: cut it.
        peer.terminate();
      } else {
        this.awaiting.add(peer);
        peer.ping();
      }
    }
  }
}
