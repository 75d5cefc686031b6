/**
 * A TCP proxy on 127.0.0.1 for fault tests: it forwards bytes both ways and can cut every
 * link (as a network drop does), stall them (bytes held, as on a dead route) and resume.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A controllable TCP proxy. */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every open link; new connections are still accepted. */
  cut(): void;
  /** Stops forwarding on the links open now (they stay open, bytes wait); new links flow. */
  stall(): void;
  /** Forwards again on the stalled links, including what waited; links that flow are left alone. */
  resume(): void;
  /** Refuses new connections until `accept()` (existing ones are cut). */
  refuse(): void;
  accept(): void;
  /** Sends new connections to another port (as a load balancer does after a deploy). */
  retarget(port: number): void;
  /** Number of links accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:`targetPort`. */
export async function startProxy(initialTarget: number): Promise<TcpProxy> {
  let targetPort = initialTarget;
  const pairs = new Set<[Socket, Socket]>();
  // The links a stall holds: resume() re-pipes only these (piping a flowing link again would
  // deliver each chunk twice).
  const stalled = new Set<[Socket, Socket]>();
  let refusing = false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // A stall holds the links open at that moment; links made later flow (a new route).
    const end = () => {
      pairs.delete(pair);
      stalled.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const each = (fn: (s: Socket) => void) => {
    for (const [a, b] of pairs) {
      fn(a);
      fn(b);
    }
  };
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut: () => each((s) => s.destroy()),
    retarget: (port) => {
      targetPort = port;
    },
    stall: () => {
      // Unpipe so nothing already read is forwarded either.
      for (const pair of pairs) {
        if (stalled.has(pair)) continue;
        stalled.add(pair);
        const [a, b] = pair;
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    resume: () => {
      for (const [a, b] of stalled) {
        a.pipe(b);
        b.pipe(a);
        a.resume();
        b.resume();
      }
      stalled.clear();
    },
    refuse: () => {
      refusing = true;
      each((s) => s.destroy());
    },
    accept: () => {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        each((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
