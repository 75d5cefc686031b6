/**
 * The chat server: one HTTP server serving the built page and, on `/ws`, the sockkit
 * endpoint, over one SQLite store. A room "general" exists from the start.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveStatic } from '@sockkit/app-static';
import { type Broker, createSockkitServer, type Logger, type SockkitServer } from '@sockkit/server';
import { type ChatContract, contract } from '../contract.js';
import { createHandlers } from './handlers.js';
import { type ChatAuth, identify } from './identity.js';
import { ChatStore } from './store.js';
import { topicHooks } from './topics.js';

/** Options of {@link startChat}. */
export interface ChatOptions {
  /** Port to listen on; 0 for an ephemeral one. Default 3001. */
  port?: number;
  /** Interface to listen on. Default all. */
  host?: string;
  /** The SQLite file. */
  dbPath: string;
  /** Directory of the built page; without it only the sockkit endpoint is served. */
  webRoot?: string;
  /** Handles HTTP requests before the static server (Vite's dev middleware). */
  middleware?: (request: IncomingMessage, response: ServerResponse, next: () => void) => void;
  /** SQLite durability; see {@link ChatStore}. */
  synchronous?: 'FULL' | 'NORMAL';
  /** A shared broker (Redis) for running several nodes. */
  broker?: Broker;
  /** Epoch ms stored with messages. Default `Date.now`. */
  now?: () => number;
  /** sockkit's logger (handler failures, refused connections). Default: the console. */
  logger?: Logger;
}

/** A running chat server. */
export interface Chat {
  readonly url: string;
  readonly port: number;
  readonly store: ChatStore;
  readonly sockkit: SockkitServer<ChatContract, ChatAuth>;
  /** Closes connections (1012: pages reconnect), the HTTP server and the store. */
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startChat(options: ChatOptions): Promise<Chat> {
  const store = new ChatStore(options.dbPath, {
    ...(options.synchronous ? { synchronous: options.synchronous } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  store.createRoom('general', 'General', 'server');
  const statics = options.webRoot
    ? serveStatic(options.webRoot, (path) => path === '/' || path.startsWith('/r/'))
    : undefined;
  const http = createServer((request, response) => {
    const fallback = () => {
      if (statics) statics(request, response);
      else response.writeHead(404, { 'content-type': 'text/plain' }).end('page not served here');
    };
    if (options.middleware) options.middleware(request, response, fallback);
    else fallback();
  });
  const sockkit = createSockkitServer<ChatContract, ChatAuth>({
    contract,
    server: http,
    path: '/ws',
    authenticate: ({ params }) => {
      const auth = identify(params);
      return { context: auth, user: auth.user };
    },
    handlers: createHandlers(store),
    topics: topicHooks(store),
    ...(options.broker ? { broker: options.broker } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 3001, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  await sockkit.ready;
  const port = (http.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    port,
    store,
    sockkit,
    close() {
      closing ??= (async () => {
        await sockkit.close({ timeout: 2000 });
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        store.close();
      })();
      return closing;
    },
  };
}
