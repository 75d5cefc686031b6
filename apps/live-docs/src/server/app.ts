/**
 * The live-docs server: one HTTP server serving the built web app and, on `/ws`, the
 * sockkit endpoint, over one SQLite store.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SockkitError } from '@sockkit/core';
import { type Broker, createSockkitServer, type SockkitServer, silentLogger } from '@sockkit/server';
import * as z from 'zod';
import { contract, type LiveDocsContract } from '../contract.js';
import type { DocLimits } from '../shared/limits.js';
import { CollabAuthority } from './authority.js';
import { createHandlers, type LiveDocsAuth } from './handlers.js';
import { consoleLog, type Logger } from './log.js';
import { serveStatic } from './static.js';
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
  /** Snapshot after this many updates. */
  snapshotEvery?: number;
  /** SQLite durability; see {@link DocStore}. */
  synchronous?: 'FULL' | 'NORMAL';
  /** A shared broker (Redis) for running several nodes. */
  broker?: Broker;
  log?: Logger;
}

/** A running live-docs server. */
export interface LiveDocs {
  readonly url: string;
  readonly port: number;
  readonly store: DocStore;
  readonly authority: CollabAuthority;
  readonly sockkit: SockkitServer<LiveDocsContract, LiveDocsAuth>;
  /** Closes connections (1012: clients reconnect), the HTTP server and the store. */
  close(): Promise<void>;
}

const connectParams = z.object({ user: z.string().min(1).max(64) });

/** Starts the server and resolves once it listens. */
export async function startLiveDocs(options: LiveDocsOptions): Promise<LiveDocs> {
  const log = options.log ?? consoleLog;
  const store = new DocStore(options.dbPath, options.synchronous ? { synchronous: options.synchronous } : {});
  const authority = new CollabAuthority(store, {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.snapshotEvery ? { snapshotEvery: options.snapshotEvery } : {}),
  });
  const statics = options.webRoot ? serveStatic(options.webRoot) : undefined;
  const http = createServer((request, response) => {
    const fallback = () => {
      if (statics) statics(request, response);
      else response.writeHead(404, { 'content-type': 'text/plain' }).end('web app not built');
    };
    if (options.middleware) options.middleware(request, response, fallback);
    else fallback();
  });

  let sockkit: SockkitServer<LiveDocsContract, LiveDocsAuth> | undefined;
  const docExists = ({ params }: { params: { id: string } }) => {
    if (!store.getMeta(params.id)) throw new SockkitError('NOT_FOUND', `no document ${params.id}`);
    return true;
  };
  sockkit = createSockkitServer<LiveDocsContract, LiveDocsAuth>({
    contract,
    server: http,
    path: '/ws',
    authenticate: ({ params }) => {
      const parsed = connectParams.safeParse(params);
      if (!parsed.success) throw new SockkitError('UNAUTHORIZED', 'connect with params { user }');
      return { context: { user: parsed.data.user }, user: parsed.data.user };
    },
    handlers: createHandlers(authority, () => sockkit!, log),
    topics: {
      doc: { authorize: { subscribe: docExists } },
      cursors: { authorize: { subscribe: docExists, publish: docExists } },
    },
    limits: { maxMessageBytes: 2 * 1024 * 1024, maxFrameBytes: 4 * 1024 * 1024 },
    ...(options.broker ? { broker: options.broker } : {}),
    logger: silentLogger,
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 3000, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  await sockkit.ready;
  const port = (http.address() as AddressInfo).port;
  const server = sockkit;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    port,
    store,
    authority,
    sockkit: server,
    close() {
      closing ??= (async () => {
        await server.close({ timeout: 2000 });
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        store.close();
      })();
      return closing;
    },
  };
}
