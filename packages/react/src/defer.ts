/**
 * Starting work from an effect one microtask late. React's StrictMode mounts, unmounts and
 * mounts again synchronously within one commit; deferring the start lets the first cleanup
 * cancel it before anything reached the socket, so the wire sees one call or one `sub`, not
 * a call and its cancel (or a sub, an unsub and a sub).
 */

/**
 * Runs `start` in a microtask unless the returned cleanup ran first; once started, the cleanup
 * runs what `start` returned.
 */
export function afterStrictRemount(start: () => (() => void) | undefined): () => void {
  let cancelled = false;
  let stop: (() => void) | undefined;
  queueMicrotask(() => {
    if (!cancelled) stop = start();
  });
  return () => {
    cancelled = true;
    stop?.();
  };
}
