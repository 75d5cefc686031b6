/**
 * Write coalescing: frames queued for a connection during one turn of the event loop leave
 * as one WebSocket frame (a JSON array when there are several) in one socket write. The
 * flush runs from a single setImmediate for all connections: no timer, no per-connection
 * closure, and no added latency beyond the current turn.
 */

/** Something with queued frames to write. */
export interface Flushable {
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;

/** Queues `target` for the next flush. Call once per turn per target (when its queue goes non-empty). */
export function scheduleFlush(target: Flushable): void {
  dirty.push(target);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

function flushAll(): void {
  scheduled = false;
  const list = dirty;
  dirty = [];
  for (const target of list) target.flush();
}
