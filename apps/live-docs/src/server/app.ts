/**
 * The live-docs server: one HTTP server serving the built web app and, on `/ws`, the
 * sockkit endpoint, over one SQLite store.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveStatic } from '@sockkit/app-static';
import type { Limits } from '@sockkit/core';
import type { Inspector } from '@sockkit/inspector';
import { type Broker, createSockkitServer, type SockkitServer, silentLogger } from '@sockkit/server';
import { contract, type LiveDocsContract } from '../contract.js';
import type { DocLimits } from '../shared/limits.js';
import { accessMiddleware, topicAccess } from './access.js';
import { Announcer } from './announce.js';
import { CollabAuthority } from './authority.js';
import { createHandlers } from './handlers.js';
import { History } from './history.js';
import { identify, type LiveDocsAuth } from './identity.js';
import { mountInspector } from './inspector.js';
import { consoleLog, type Logger } from './log.js';
import { metricsRoute } from './metrics-route.js';
import { DocStore } from './store.js';

/** Options of {@link startLiveDocs}. */
export interface LiveDocsOptions {
  /** Port to listen on; 0 for an ephemeral one. Default 3000. */
  port?: number;
  /** Interface to listen on. Default all. */
  host?: string;
  /** The SQLite file. */
  dbPath: string;
  /** Directory of the built web app; without it only the sockkit endpoint is served. */
  webRoot?: string;
  /** Handles HTTP requests instead of the static server (Vite's dev middleware). */
  middleware?: (request: IncomingMessage, response: ServerResponse, next: () => void) => void;
  /** Document limits. */
  limits?: Partial<DocLimits>;
  /** sockkit's own limits, over the app's (2 MiB messages, 4 MiB frames) and sockkit's defaults. */
  sockkitLimits?: Partial<Limits>;
  /** Snapshot after this many updates. */
  snapshotEvery?: number;
  /** SQLite durability; see {@link DocStore}. */
  synchronous?: 'FULL' | 'NORMAL';
  /** A shared broker (Redis) for running several nodes. */
  broker?: Broker;
  /** Mounts the sockkit inspector at `/_inspector` behind this password (HTTP Basic); off without it. */
  inspectorPassword?: string;
  /** The broker the inspector's figures travel on (Redis, a prefix of its own): every node on one page. */
  inspectorBroker?: Broker;
  /** The time stored with each update (epoch ms), for history. Default `Date.now`. */
  now?: () => number;
  log?: Logger;
  /** Serves sockkit's Prometheus metrics at `/metrics` to requests carrying this password; off when unset. */
  metricsPassword?: string | undefined;
}

/** A running live-docs server. */
export interface LiveDocs {
  readonly url: string;
  readonly port: number;
  readonly store: DocStore;
  readonly authority: CollabAuthority;
  readonly history: History;
  readonly sockkit: SockkitServer<LiveDocsContract, LiveDocsAuth>;
  /** Closes connections (1012: clients reconnect), the HTTP server and the store. */
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startLiveDocs(options: LiveDocsOptions): Promise<LiveDocs> {
  const log = options.log ?? consoleLog;
  const store = new DocStore(options.dbPath, options.synchronous ? { synchronous: options.synchronous } : {});
  const authority = new CollabAuthority(store, {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.snapshotEvery ? { snapshotEvery: options.snapshotEvery } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const history = new History(authority);
  const statics = options.webRoot
    ? serveStatic(options.webRoot, (path) => path === '/' || path.startsWith('/d/'))
    : undefined;
  const metrics = options.metricsPassword ? await metricsRoute(options.metricsPassword) : undefined;
  let inspector: Inspector | undefined;
  const http = createServer((request, response) => {
    if (metrics?.handle(request, response)) return;
    const fallback = () => {
      if (statics) statics(request, response);
      else response.writeHead(404, { 'content-type': 'text/plain' }).end('web app not built');
    };
    const app = () => {
      if (options.middleware) options.middleware(request, response, fallback);
      else fallback();
    };
    if (!inspector) return app();
    inspector.handle(request, response).then(
      (handled) => handled || app(),
      () => response.writeHead(500).end(),
    );
  });

  let sockkit: SockkitServer<LiveDocsContract, LiveDocsAuth> | undefined;
  const server = () => sockkit!;
  sockkit = createSockkitServer({
    contract,
    server: http,
    path: '/ws',
    authenticate: ({ params }) => {
      const auth = identify(params);
      store.access.rememberName(auth.user, auth.name);
      return { context: auth, user: auth.user };
    },
    handlers: createHandlers({
      authority,
      history,
      announce: new Announcer(server, store.access, log),
    }),
    middleware: [accessMiddleware(store.access)],
    topics: topicAccess(store.access),
    limits: { maxMessageBytes: 2 * 1024 * 1024, maxFrameBytes: 4 * 1024 * 1024, ...options.sockkitLimits },
    ...(options.broker ? { broker: options.broker } : {}),
    logger: silentLogger,
    ...(metrics ? { observers: [metrics.observer] } : {}),
  });

  if (options.inspectorPassword) {
    inspector = mountInspector({
      server: sockkit,
      http,
      password: options.inspectorPassword,
      ...(options.inspectorBroker ? { broker: options.inspectorBroker } : {}),
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 3000, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  await sockkit.ready;
  const port = (http.address() as AddressInfo).port;
  const running = sockkit;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    port,
    store,
    authority,
    history,
    sockkit: running,
    close() {
      closing ??= (async () => {
        await inspector?.close();
        await running.close({ timeout: 2000 });
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        store.close();
      })();
      return closing;
    },
  };
}
