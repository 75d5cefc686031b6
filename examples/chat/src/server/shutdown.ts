/**
 * Stopping on SIGINT (Ctrl-C) and SIGTERM (what systemd, Docker and Kubernetes send): the
 * server stops taking connections, lets calls in flight finish, closes every connection with
 * 1012 so that pages reconnect (to another node, or to this one once it is back), then exits.
 * A second signal, or a shutdown that takes too long, exits at once.
 */
export function stopOnSignals(stop: () => Promise<void>, timeoutMs = 10_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), timeoutMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
