/**
 * WebSocket ping/pong heartbeat: one interval for the whole server, and the liveness table it
 * keeps. Each tick terminates the connections that showed no sign of life since the previous
 * tick, and pings the rest. Connections report signs of life (any frame, a pong) with `seen`.
 */
import { type Clock, type TimerHandle, unrefTimer } from '@sockkit/core';
import type { Peer } from './peer.js';

/** The heartbeat of one server. */
export class Heartbeat {
  /** Peers that showed a sign of life since the last tick. */
  private readonly alive = new WeakSet<Peer>();
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
    this.alive.add(peer);
  }

  private tick(): void {
    for (const peer of this.peers()) {
      // A peer that stopped answering cannot complete a close handshake: cut it.
      if (!this.alive.delete(peer)) peer.terminate();
      else peer.ping();
    }
  }
}
