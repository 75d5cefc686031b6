/**
 * `@sockkit/server/metrics`: Prometheus metrics of sockkit servers with prom-client (an
 * optional peer dependency, loaded only by this entry). `createSockkitMetrics()` returns an
 * observer to register on servers and an HTTP handler that serves the registry in the
 * Prometheus text format, for the app to mount where it wants (behind its own access check).
 *
 * Counters are updated as events happen; gauges (connections, subscriptions, presence, broker
 * status) are read from the servers' snapshots at scrape time, so they cost nothing between
 * scrapes. Labels are bounded: procedure and topic names come from the contract (a call to an
 * unknown procedure is `(unknown)`), never a channel key, user or connection id; close codes
 * are the protocol's, anything else is `other`. Counters carry no `node` label: a process is a
 * scrape target, and Prometheus labels it with its `instance`. Gauges do, from the server's
 * `node` option.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLOSE_CODES } from '@sockkit/core';
import { Counter, Gauge, Registry } from 'prom-client';
import { CallMetrics } from './call-metrics.js';
import type { ObservedServer, ServerObserver } from './observer.js';

/** Options of {@link createSockkitMetrics}. */
export interface SockkitMetricsOptions {
  /** The registry to register into. Default: a new one of its own (`metrics.registry`). */
  registry?: Registry;
  /** Prefix of every metric name. Default `sockkit_`. */
  prefix?: string;
  /** Buckets of the call duration histogram, in seconds. */
  durationBuckets?: number[];
}

/** What {@link createSockkitMetrics} returns. */
export interface SockkitMetrics {
  /** Register it on each server: `createSockkitServer({ observers: [metrics.observer] })` or `server.observe()`. */
  readonly observer: ServerObserver;
  /** The registry the metrics live in. */
  readonly registry: Registry;
  /**
   * Serves the registry in the Prometheus text format (any method and path: mount it where the
   * app wants, behind its own check).
   */
  handler(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

/** Default buckets of `sockkit_call_duration_seconds`: 100 µs to 10 s. */
export const DEFAULT_DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const KNOWN_CLOSE_CODES = new Set<number>(Object.values(CLOSE_CODES).map((c) => c.code));
const REFUSAL_NAMES = new Map<number, string>(
  Object.entries(CLOSE_CODES).map(([name, { code }]) => [code, name.toLowerCase()]),
);

/**
 * Values by label set, keyed by one or two label values (contract names and codes: no
 * separator can be confused with them, since `\u0000` is not in any).
 */
class Tally<L extends string> {
  private readonly entries = new Map<string, { labels: Record<L, string>; value: number }>();

  /** Adds `delta` to the value of `labels` (the object is kept the first time those values are seen). */
  add(a: string, b: string | undefined, labels: Record<L, string>, delta: number): void {
    const key = b === undefined ? a : `${a}\u0000${b}`;
    const entry = this.entries.get(key);
    if (entry) entry.value += delta;
    else this.entries.set(key, { labels, value: delta });
  }

  /** Sets a prom-client counter or gauge to these values. */
  copyTo(metric: { reset(): void; inc(labels: Record<L, string>, value: number): void }): void {
    metric.reset();
    for (const { labels, value } of this.entries.values()) metric.inc(labels, value);
  }
}

/** A bounded label for a close code: one the protocol or RFC 6455 defines, else `other`. */
function closeLabel(code: number): string {
  return KNOWN_CLOSE_CODES.has(code) || (code >= 1000 && code <= 1015) ? String(code) : 'other';
}

/**
 * Creates sockkit's Prometheus metrics.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createSockkitMetrics } from '@sockkit/server/metrics';
 *
 * const metrics = createSockkitMetrics();
 * createServer((req, res) => {
 *   if (req.url === '/metrics') return void metrics.handler(req, res);
 *   res.writeHead(404).end();
 * }).listen(9464);
 * ```
 */
export function createSockkitMetrics(options: SockkitMetricsOptions = {}): SockkitMetrics {
  const registry = options.registry ?? new Registry();
  const p = options.prefix ?? 'sockkit_';
  const registers = [registry];
  const servers = new Set<ObservedServer>();

  const opened = new Counter({
    name: `${p}connections_opened_total`,
    help: 'Connections that completed the handshake.',
    registers,
  });
  const closed = new Counter({
    name: `${p}connections_closed_total`,
    help: 'Open connections that closed, by close code.',
    labelNames: ['code'],
    registers,
  });
  const refused = new Counter({
    name: `${p}handshakes_refused_total`,
    help: 'Sockets refused at the handshake, by reason (close code name).',
    labelNames: ['reason'],
    registers,
  });
  // What changes on every call, frame or delivery is tallied in plain maps and numbers, and
  // handed to prom-client when scraped: its label lookup hashes the labels on every update.
  const calls = new CallMetrics(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS);
  const publishTally = new Tally<'topic' | 'origin'>();
  const deliveryTally = new Tally<'topic' | 'kind'>();
  const bytes = { received: 0, sent: 0 };
  new Counter({
    name: `${p}calls_total`,
    help: 'Calls from clients answered, by procedure and code (OK or the error code).',
    labelNames: ['procedure', 'code'],
    registers,
    collect() {
      this.reset();
      for (const { procedure, codes } of calls.all())
        for (const [code, n] of codes) this.inc({ procedure, code }, n);
    },
  });
  calls.registerHistogram(
    registry,
    `${p}call_duration_seconds`,
    'Time from a call arriving to its answer, by procedure.',
  );
  new Gauge({
    name: `${p}calls_in_flight`,
    help: 'Calls from clients not answered yet, by procedure.',
    labelNames: ['procedure'],
    registers,
    collect() {
      this.reset();
      for (const { procedure, inFlight } of calls.all()) this.set({ procedure }, inFlight);
    },
  });
  new Counter({
    name: `${p}messages_published_total`,
    help: 'Messages published from this process, by topic and origin (client or server).',
    labelNames: ['topic', 'origin'],
    registers,
    collect() {
      publishTally.copyTo(this);
    },
  });
  new Counter({
    name: `${p}deliveries_total`,
    help: 'Frames queued for subscribers of this process, by topic and kind (message or presence).',
    labelNames: ['topic', 'kind'],
    registers,
    collect() {
      deliveryTally.copyTo(this);
    },
  });
  new Counter({
    name: `${p}received_bytes_total`,
    help: 'Bytes of WebSocket frames received.',
    registers,
    collect() {
      this.reset();
      this.inc(bytes.received);
    },
  });
  new Counter({
    name: `${p}sent_bytes_total`,
    help: 'Bytes of WebSocket frames sent.',
    registers,
    collect() {
      this.reset();
      this.inc(bytes.sent);
    },
  });
  const dropped = new Counter({
    name: `${p}volatile_dropped_total`,
    help: 'Volatile frames dropped under backpressure.',
    registers,
  });
  const slow = new Counter({
    name: `${p}slow_consumer_closes_total`,
    help: 'Connections closed as slow consumers (4009).',
    registers,
  });
  const rateLimited = new Counter({
    name: `${p}rate_limit_strikes_total`,
    help: 'Messages answered RATE_LIMITED, or that closed their connection (4008).',
    registers,
  });
  const protocolErrors = new Counter({
    name: `${p}protocol_errors_total`,
    help: 'Malformed frames and messages (bad JSON, binary, oversized).',
    registers,
  });
  const gaps = new Counter({
    name: `${p}broker_gaps_total`,
    help: 'Channels that lost messages (broker gap or new epoch), by topic.',
    labelNames: ['topic'],
    registers,
  });

  const snapshots = () => [...servers].map((server) => server.inspect());
  new Gauge({
    name: `${p}connections`,
    help: 'Open connections, by node.',
    labelNames: ['node'],
    registers,
    collect() {
      this.reset();
      for (const s of snapshots()) this.set({ node: s.node }, s.connections.length);
    },
  });
  new Gauge({
    name: `${p}subscriptions`,
    help: 'Subscriptions of connections to channels, by node and topic.',
    labelNames: ['node', 'topic'],
    registers,
    collect() {
      this.reset();
      for (const s of snapshots())
        for (const c of s.channels) this.inc({ node: s.node, topic: c.topic }, c.subscribers);
    },
  });
  new Gauge({
    name: `${p}presence_members`,
    help: "Connections in a channel's presence, by node and topic.",
    labelNames: ['node', 'topic'],
    registers,
    collect() {
      this.reset();
      for (const s of snapshots())
        for (const c of s.channels) this.inc({ node: s.node, topic: c.topic }, c.presence);
    },
  });
  new Gauge({
    name: `${p}buffered_bytes`,
    help: 'Data queued for connections and not yet taken by the kernel, by node.',
    labelNames: ['node'],
    registers,
    collect() {
      this.reset();
      for (const s of snapshots())
        this.set(
          { node: s.node },
          s.connections.reduce((sum, c) => sum + c.bufferedBytes, 0),
        );
    },
  });
  new Gauge({
    name: `${p}broker_up`,
    help: "1 while the broker's link to its engine is up, else 0, by node (brokers that report one, e.g. Redis).",
    labelNames: ['node'],
    registers,
    collect() {
      this.reset();
      for (const s of snapshots())
        if (s.broker !== undefined) this.set({ node: s.node }, s.broker === 'up' ? 1 : 0);
    },
  });

  const observer: ServerObserver = {
    attached: (server) => void servers.add(server),
    detached: (server) => void servers.delete(server),
    connectionOpened: () => opened.inc(),
    connectionClosed: (_conn, { code }) => closed.inc({ code: closeLabel(code) }),
    refused: ({ code }) => refused.inc({ reason: REFUSAL_NAMES.get(code) ?? 'other' }),
    received(_conn, n) {
      bytes.received += n;
    },
    sent(_conn, n) {
      bytes.sent += n;
    },
    callStarted: ({ procedure }) => calls.started(procedure),
    published: ({ topic, origin }) => publishTally.add(topic, origin, { topic, origin }, 1),
    delivered: ({ topic, kind, recipients }) => {
      const k = kind === 'message' ? 'message' : 'presence';
      if (recipients > 0) deliveryTally.add(topic, k, { topic, kind: k }, recipients);
    },
    gap: ({ topic }) => gaps.inc({ topic }),
    volatileDropped: () => dropped.inc(),
    slowConsumer: () => slow.inc(),
    rateLimited: () => rateLimited.inc(),
    protocolError: () => protocolErrors.inc(),
  };

  return {
    observer,
    registry,
    async handler(_request, response) {
      try {
        const text = await registry.metrics();
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(text);
      } catch {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('metrics failed\n');
      }
    },
  };
}
