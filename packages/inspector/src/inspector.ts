/**
 * `createInspector`: mounts the inspector on an app's HTTP server. The page is served under
 * `path` by {@link Inspector.handle}, which the app calls from its request handler; the page's
 * data comes from a sockkit server of the inspector's own (its contract: contract.ts) attached
 * to the same HTTP server at `<path>/socket`.
 *
 * Access: every request for the page or its files, and every socket, goes through the app's
 * `authorize(request)`; there is no default, and without one `createInspector` throws. A page
 * request refused gets 401, a socket refused is closed with 4001 before it sees anything.
 *
 * Across nodes: each node's inspector publishes its figures on the inspector's broker. Given a
 * broker its nodes share (a `RedisBroker` with a prefix of its own), a page on any node sees
 * every node; with the default in-process broker, the node it is connected to.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { toAsyncAPI } from '@sockkit/asyncapi';
import { type Contract, SockkitError } from '@sockkit/core';
import {
  type Broker,
  createSockkitServer,
  type Logger,
  type ServerObserver,
  type ServerSnapshot,
} from '@sockkit/server';
import { Collector, type CollectorLimits, DEFAULT_COLLECTOR_LIMITS } from './collector.js';
import { inspectorContract } from './contract.js';
import { sendFile } from './static.js';

/** What `authorize` sees of a request for the page or of the page's socket. */
export interface InspectorRequest {
  /** Request headers, lower-cased (cookies, authorization). */
  readonly headers: IncomingMessage['headers'];
  /** Path and query. */
  readonly url: string;
  /** The peer's address as the socket saw it (a proxy's, behind one). */
  readonly remoteAddress: string | undefined;
}

/** The app's server as the inspector uses it: what every `SockkitServer` has. */
export interface InspectedServer {
  /** The node's name, shown with its figures. */
  readonly node: string;
  /** Its broker, read for a `status` when it has one (RedisBroker). */
  readonly broker?: object;
  /** Its connections and channels now. */
  inspect(): ServerSnapshot;
  /** Registers the inspector's observer; returns its remover. */
  observe(observer: ServerObserver): () => void;
}

/** Options of {@link createInspector}. */
export interface InspectorOptions {
  /** The app's sockkit server. */
  server: InspectedServer;
  /** The app's contract, shown on the page (as its AsyncAPI document). */
  contract: Contract;
  /** The HTTP server the app's sockkit server is attached to; the inspector's socket attaches there too. */
  http: HttpServer;
  /** Where the page is, e.g. `/_inspector`: the page at `<path>/`, its socket at `<path>/socket`. */
  path: string;
  /**
   * Whether a request may see the inspector: the page, its files and its socket. Required;
   * nothing is open by default. Check a session cookie, a header set by your proxy, Basic
   * credentials: whatever the app trusts.
   */
  authorize: (request: InspectorRequest) => boolean | Promise<boolean>;
  /** Sent as `WWW-Authenticate` with a refused page request (e.g. `Basic realm="inspector"`, for the browser to ask). */
  challenge?: string;
  /** The broker the inspector's figures travel on; one shared by the app's nodes shows them all. Default: in-process. */
  broker?: Broker;
  /** The page's title. Default `sockkit inspector`. */
  title?: string;
  /** How often each node publishes its figures, in ms. Default 1000. */
  intervalMs?: number;
  /** How many intervals the charts keep per node (a page opening asks the `ticks` history for up to 1,000). Default 300. */
  historyTicks?: number;
  /** Bounds of what one interval keeps. */
  limits?: Partial<CollectorLimits>;
  /** The app's logger, for the inspector's own server. */
  logger?: Logger;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** The built page. Default: the one in this package. */
  webRoot?: string;
}

/** A mounted inspector. */
export interface Inspector {
  /** Its path, without trailing slash. */
  readonly path: string;
  /**
   * Serves a request below the inspector's path and resolves true; resolves false at once for
   * any other request (the app serves it).
   *
   * @example
   * ```ts
   * import { createServer } from 'node:http';
   * import type { Inspector } from '@sockkit/inspector';
   * declare const inspector: Inspector;
   *
   * const http = createServer(async (request, response) => {
   *   if (await inspector.handle(request, response)) return;
   *   response.writeHead(404).end();
   * });
   * ```
   */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** Stops observing the app's server and closes the inspector's sockets. */
  close(): Promise<void>;
}

/** Mounts the inspector; see {@link InspectorOptions}. */
export function createInspector(options: InspectorOptions): Inspector {
  if (typeof options.authorize !== 'function') {
    throw new TypeError(
      'sockkit inspector: `authorize(request)` is required (the inspector is never open by default)',
    );
  }
  if (!/^\/[^?#]*$/.test(options.path))
    throw new TypeError(`sockkit inspector: path must start with "/": ${options.path}`);
  const path = options.path.replace(/\/+$/, '');
  const authorize = options.authorize;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const historyTicks = options.historyTicks ?? 300;
  const webRoot = options.webRoot ?? fileURLToPath(new URL('../dist/web/', import.meta.url));
  const collector = new Collector(options.server.node, now, {
    ...DEFAULT_COLLECTOR_LIMITS,
    ...options.limits,
  });
  const stopObserving = options.server.observe(collector);
  const asyncapi = toAsyncAPI(options.contract, { title: options.title ?? 'sockkit app', version: '0' });

  const own = createSockkitServer({
    contract: inspectorContract,
    server: options.http,
    path: `${path}/socket`,
    node: options.server.node,
    ...(options.broker === undefined ? {} : { broker: options.broker }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    authenticate: async ({ request }) => {
      if ((await authorize(request)) !== true) throw new SockkitError('UNAUTHORIZED', 'not authorized');
      return { context: {} };
    },
    handlers: {
      describe: () => ({
        title: options.title ?? 'sockkit inspector',
        intervalMs,
        historyTicks,
        asyncapi: { ...asyncapi },
      }),
    },
  });

  // The server reports a broker's status to observers when it changes, so a broker that was
  // already up when the inspector started would show none: its own `status` says (RedisBroker).
  const brokerStatus = () => {
    const status = (options.server.broker as { status?: unknown } | undefined)?.status;
    return typeof status === 'string' ? status : undefined;
  };
  // A broker that is down refuses publishes: said once until one succeeds again; the page
  // shows the hole in its charts.
  let failing = false;
  const published = () => {
    failing = false;
  };
  const failed = (error: unknown) => {
    if (!failing) options.logger?.warn({ err: error }, 'sockkit inspector: figures not published');
    failing = true;
  };
  const timer = setInterval(() => {
    const snapshot = options.server.inspect();
    own.publish
      .ticks(undefined, collector.takeTick(snapshot, intervalMs, brokerStatus()))
      .then(published, failed);
    own.publish.state(undefined, collector.state(snapshot)).then(published, failed);
  }, intervalMs);
  timer.unref();

  return {
    path,
    async handle(request, response) {
      const { pathname } = new URL(request.url ?? '/', 'http://x');
      if (pathname !== path && !pathname.startsWith(`${path}/`)) return false;
      const allowed = await authorize({
        headers: request.headers,
        url: request.url ?? '/',
        remoteAddress: request.socket.remoteAddress,
      });
      if (allowed !== true) {
        const challenge = options.challenge === undefined ? {} : { 'www-authenticate': options.challenge };
        response.writeHead(401, { 'content-type': 'text/plain', ...challenge }).end('not authorized');
        return true;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (pathname === path) {
        // Relative asset URLs resolve against a path ending in a slash.
        response.writeHead(308, { location: `${path}/` }).end();
      } else {
        const file = decoded(pathname.slice(path.length + 1));
        if (file === undefined) response.writeHead(400).end();
        else sendFile(webRoot, file, response, request.method === 'HEAD');
      }
      return true;
    },
    async close() {
      clearInterval(timer);
      stopObserving();
      await own.close();
    },
  };
}

function decoded(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}
