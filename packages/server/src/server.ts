/**
 * `createSockkitServer`: a typed sockkit endpoint on `ws`, listening on its own port or
 * attached to an existing `http.Server`.
 */
import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import {
  type Caller,
  CLOSE_CODES,
  type ClientProcedures,
  type ContractDef,
  DEFAULT_LIMITS,
  SUBPROTOCOL,
  superjsonCodec,
  systemClock,
  type TimerHandle,
  unrefTimer,
} from '@sockkit/core';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Broker, BrokerStatus } from './broker.js';
import { checkOptions } from './check-options.js';
import { Connection, type ConnectionDeps, DEFAULT_DISCONNECT_REASON } from './connection.js';
import { Flusher } from './flusher.js';
import { Heartbeat } from './heartbeat.js';
import { consoleLogger } from './logger.js';
import { MemoryBroker } from './memory-broker.js';
import type { ObservedServer } from './observer.js';
import { Observers } from './observers.js';
import type {
  PublishOptions,
  ServerCallOptions,
  ServerConnection,
  ServerOptions,
  SockkitServer,
  TopicPositionReply,
} from './options.js';
import { peerCodec } from './peer-codec.js';
import { Refusals } from './refusals.js';
import { disconnectConnection, disconnectUser, localTarget, relayCall, userCall } from './relay-calls.js';
import type { AnyHandler, ServerRuntime } from './runtime.js';
import { TopicHub } from './topics.js';
import { tracing } from './trace.js';
import { keptRequest, negotiate, refusalOf, versionsFor } from './upgrade.js';

/**
 * Creates a sockkit server.
 *
 * @example
 * ```ts
 * const server = createSockkitServer({
 *   contract,
 *   port: 3000,
 *   handlers: { echo: ({ text }) => ({ text }) },
 * });
 * await server.ready;
 * ```
 */
export function createSockkitServer<const C extends ContractDef, Ctx = undefined>(
  options: ServerOptions<C, Ctx>,
): SockkitServer<C, Ctx> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const versions = versionsFor(limits);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const contract = options.contract as ContractDef;
  const ownBroker = options.broker === undefined;
  const broker: Broker = options.broker ?? new MemoryBroker({ clock });
  const connections = new Map<string, Connection>();
  const byUser = new Map<string, Set<Connection>>();
  const sockets = new Set<WebSocket>();

  checkOptions(options as ServerOptions<unknown, unknown>, contract);
  const node = options.node ?? `${hostname()}:${process.pid}`;
  let brokerStatus: BrokerStatus | undefined;
  const observed: ObservedServer = {
    node,
    inspect: () => ({
      node,
      at: clock.now(),
      broker: brokerStatus,
      connections: [...connections.values()].map((conn) => conn.snapshot()),
      channels: topics.snapshot(),
    }),
  };
  const observers = new Observers(observed, logger, clock);
  const refusals = new Refusals(logger, clock, observers);

  const rt: ServerRuntime = {
    contract,
    handlers: (options.handlers ?? {}) as unknown as Record<string, AnyHandler>,
    streamHandlers: (options.streams ?? {}) as unknown as ServerRuntime['streamHandlers'],
    topicHooks: (options.topics ?? {}) as ServerRuntime['topicHooks'],
    middleware: (options.middleware ?? []) as ServerRuntime['middleware'],
    authenticate: options.authenticate as ServerRuntime['authenticate'],
    limits,
    codec: peerCodec(options.codec ?? superjsonCodec),
    logger,
    clock,
    validateOutput: options.validateOutput ?? process.env.NODE_ENV !== 'production',
    trace: tracing(options.debug, logger),
    observers,
    accepting: true,
    server: undefined as never, // set below, once built: handlers run only after that
  };
  const topics = new TopicHub(broker, rt);
  const heartbeat = new Heartbeat(clock, options.heartbeatMs ?? 30_000, () => connections.values());
  const deps: ConnectionDeps = {
    rt,
    topics,
    heartbeat,
    flusher: new Flusher(),
    opened(conn) {
      connections.set(conn.id, conn);
      if (conn.user !== undefined) {
        const set = byUser.get(conn.user) ?? new Set<Connection>();
        byUser.set(conn.user, set);
        set.add(conn);
      }
      observers.hub?.connectionOpened(conn);
      options.onConnection?.(conn as unknown as ServerConnection<C, Ctx>);
    },
    closed(conn, code, reason) {
      connections.delete(conn.id);
      if (conn.user !== undefined) {
        const set = byUser.get(conn.user);
        set?.delete(conn);
        if (set?.size === 0) byUser.delete(conn.user);
      }
      observers.hub?.connectionClosed(conn, { code, reason });
      options.onDisconnect?.(conn as unknown as ServerConnection<C, Ctx>, { code, reason });
    },
    refused: (remoteAddress, refusal, error) => refusals.log(remoteAddress, refusal, error),
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => negotiate(offered, versions).protocol,
  });

  const path = options.path ?? (options.server ? '/ws' : undefined);
  const http: HttpServer = options.server ?? createServer(upgradeRequired);
  // In listen mode every socket is ours: one that has not finished its upgrade request within
  // the handshake timeout is cut, instead of being held until Node's 60 s header timeout.
  const upgrading = new WeakMap<Socket, () => void>();
  const onSocket = (socket: Socket) => {
    const timer: TimerHandle = clock.setTimeout(() => socket.destroy(), limits.handshakeTimeoutMs);
    unrefTimer(timer);
    const done = () => {
      clock.clearTimeout(timer);
      upgrading.delete(socket);
      socket.off('close', done); // the socket lives on as the WebSocket: keep nothing on it
    };
    upgrading.set(socket, done);
    socket.once('close', done);
  };
  if (!options.server) http.on('connection', onSocket);
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrading.get(socket as Socket)?.();
    if (path !== undefined && new URL(request.url ?? '/', 'http://x').pathname !== path) {
      // Another upgrade handler on a shared server may own this path.
      if (!options.server) reject(socket, 404, 'Not Found');
      return;
    }
    if (!rt.accepting) return reject(socket, 503, 'Service Unavailable');
    // A refused origin is upgraded too, and closed at once with 4005 (refusals.ts).
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
  };
  http.on('upgrade', onUpgrade);

  function accept(ws: WebSocket, request: IncomingMessage): void {
    sockets.add(ws);
    ws.on('close', forgetSocket);
    const refusal = refusalOf(
      options.allowedOrigins,
      request,
      ws.protocol,
      versions,
      sockets.size,
      limits.maxConnections,
    );
    if (refusal) return refusals.close(ws, request.socket.remoteAddress, refusal);
    new Connection(ws, keptRequest(request), deps);
  }
  // One listener for every socket (`this` is the socket): no closure per connection.
  function forgetSocket(this: WebSocket): void {
    sockets.delete(this);
  }

  for (const observer of options.observers ?? []) observers.add(observer);
  heartbeat.start();
  const stopStatus = broker.onStatus?.((status, detail) => {
    brokerStatus = status;
    observers.hub?.brokerStatus(status, detail.error);
    if (status === 'down')
      logger.warn({ error: detail.error?.message }, 'broker unreachable: topics answer UNAVAILABLE');
    else if (status === 'up') logger.info?.({}, 'broker reachable again');
  });

  const relay = options.relay;
  const codec = rt.codec;
  const localOf = (user: string) => [...(byUser.get(user) ?? [])];
  relay?.serve(localTarget(connections, (user) => localOf(user).map((conn) => conn.id), codec));
  const clientProcedures = Object.keys(contract.client ?? {});
  const callerFor = (fn: (name: string, input: unknown, o?: ServerCallOptions) => Promise<unknown>) =>
    Object.fromEntries(
      clientProcedures.map((name) => [name, (input: unknown, o?: ServerCallOptions) => fn(name, input, o)]),
    );

  const listening = options.server
    ? Promise.resolve()
    : new Promise<void>((resolve, rejectReady) => {
        http.once('error', rejectReady);
        http.listen(options.port ?? 0, options.host, () => {
          http.off('error', rejectReady);
          resolve();
        });
      });
  const ready = relay ? Promise.all([listening, relay.start()]).then(() => {}) : listening;

  const publish: Record<
    string,
    (params: unknown, message: unknown, o?: PublishOptions) => Promise<TopicPositionReply>
  > = {};
  const history: Record<string, (params: unknown, o?: { limit?: number }) => Promise<unknown>> = {};
  for (const topic of Object.keys(contract.topics ?? {})) {
    publish[topic] = (params, message, o) => topics.publish(topic, params, message, o?.volatile);
    history[topic] = (params, o) => topics.history(topic, params, o?.limit ?? 50);
  }

  let closing: Promise<void> | undefined;
  async function close({ timeout = 10_000 }: { timeout?: number } = {}): Promise<void> {
    rt.accepting = false;
    heartbeat.stop();
    const deadline = clock.now() + timeout;
    const busy = () => [...connections.values()].some((conn) => conn.callsInFlight > 0);
    while (busy() && clock.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const closed = [...sockets].map((ws) => new Promise((resolve) => ws.once('close', resolve)));
    for (const conn of connections.values()) conn.close(CLOSE_CODES.SERVICE_RESTART.code, 'server restart');
    for (const ws of sockets)
      if (ws.readyState !== ws.CLOSING) ws.close(CLOSE_CODES.SERVICE_RESTART.code, 'server restart');
    await Promise.all(closed);
    http.off('upgrade', onUpgrade);
    wss.close();
    stopStatus?.();
    await relay?.close();
    if (ownBroker) await broker.close();
    observers.clear();
    if (!options.server) await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  const api: SockkitServer<C, Ctx> = {
    ready,
    get port() {
      const address = http.address();
      return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
    },
    publish: publish as SockkitServer<C, Ctx>['publish'],
    history: history as SockkitServer<C, Ctx>['history'],
    connections: connections as unknown as ReadonlyMap<string, ServerConnection<C, Ctx>>,
    connectionsOf: (user) => localOf(user) as unknown as ServerConnection<C, Ctx>[],
    connection(id) {
      const local = connections.get(id);
      const disconnect = (reason = DEFAULT_DISCONNECT_REASON) =>
        disconnectConnection(relay, connections, id, reason);
      if (local) return { call: local.call as Caller<ClientProcedures<C>, ServerCallOptions>, disconnect };
      return {
        call: callerFor((name, input, o) => relayCall(relay, contract, codec, id, name, input, o)) as never,
        disconnect,
      };
    },
    user(key) {
      return {
        call: callerFor((name, input, o) =>
          userCall(relay, () => localOf(key), contract, codec, key, name, input, o),
        ) as never,
        disconnect: (reason = DEFAULT_DISCONNECT_REASON) =>
          disconnectUser(relay, () => localOf(key), key, reason),
      };
    },
    broker,
    node,
    inspect: observed.inspect,
    observe: (observer) => observers.add(observer),
    close(closeOptions) {
      closing ??= close(closeOptions);
      return closing;
    },
  };
  rt.server = api as unknown as SockkitServer<unknown, unknown>;
  return api;
}

function upgradeRequired(_request: IncomingMessage, response: import('node:http').ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
  response.end(`sockkit endpoint: connect with a WebSocket client speaking ${SUBPROTOCOL}\n`);
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
