/**
 * WebSocket ping/pong heartbeat: one interval for the whole server. Each tick terminates the
 * connections that showed no sign of life since the previous tick, and pings the rest.
 */
import { type Clock, type TimerHandle, unrefTimer } from '@sockkit/core';
import type { Connection } from './connection.js';

/** Starts the heartbeat over `connections`; returns a stop function. */
export function startHeartbeat(
  clock: Clock,
  intervalMs: number,
  connections: () => Iterable<Connection>,
): () => void {
  if (intervalMs <= 0) return () => {};
  const handle: TimerHandle = clock.setInterval(() => {
    for (const conn of connections()) {
      if (!conn.alive) {
        // A peer that stopped answering cannot complete a close handshake: cut it.
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, intervalMs);
  unrefTimer(handle);
  return () => clock.clearInterval(handle);
}
