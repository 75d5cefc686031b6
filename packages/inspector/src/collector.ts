/**
 * The inspector's observer of the app's server: counts what happens during one interval and
 * hands it over as a {@link Tick} (then starts the next), plus the tables of a
 * {@link NodeState} from the server's snapshot.
 *
 * It runs on the server's hot path, so each callback only adds to a counter or a bounded list:
 * at most `maxSamples` latencies per procedure per interval (uniformly sampled beyond), at most
 * `maxEvents` distinct events per interval (repeats of one counted in it, the rest counted as
 * dropped), at most `maxChannels` channels counted.
 * Labels are contract names (procedures, topics), never channel keys, except in the channel
 * table, which is bounded the same way.
 */
import type {
  BrokerStatus,
  CallWatch,
  ObservedConnection,
  ServerObserver,
  ServerSnapshot,
} from '@sockkit/server';
import {
  type ChannelRow,
  type ConnectionRow,
  eventKey,
  type InspectorEvent,
  type NodeState,
  type Tick,
} from './contract.js';
import { percentile } from './percentile.js';

/** Bounds of what one interval keeps. */
export interface CollectorLimits {
  /** Latency samples kept per procedure per interval. */
  maxSamples: number;
  /** Distinct events kept per interval: a repeat (same kind, code, subject, reason) only counts. */
  maxEvents: number;
  /** Channels whose deliveries are counted per interval. */
  maxChannels: number;
  /** Rows of each table (connections, channels) a node sends. */
  maxRows: number;
}

export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = {
  maxSamples: 4096,
  maxEvents: 50,
  maxChannels: 1000,
  maxRows: 200,
};

interface ProcedureCounts {
  calls: number;
  errors: Record<string, number>;
  samples: number[];
}

/** The plain counters of one interval. */
const zeroCounts = () => ({
  opened: 0,
  closed: 0,
  refused: 0,
  bytesIn: 0,
  bytesOut: 0,
  volatileDropped: 0,
  rateLimited: 0,
  protocolErrors: 0,
});

/** Closes that are not worth an event: a client leaving, a server restarting. */
const ORDINARY_CLOSES = new Set([1000, 1001, 1005, 1012]);

/** The inspector's observer of one server: see the file's header. */
export class Collector implements ServerObserver {
  private procedures = new Map<string, ProcedureCounts>();
  private topics = new Map<string, { published: number; delivered: number }>();
  private channels = new Map<string, number>();
  // Keyed by what an operator tells apart, so a flood of one failure counts in one entry
  // instead of crowding a rare close or refusal out of the interval.
  private events = new Map<string, InspectorEvent>();
  private eventsDropped = 0;
  private counts = zeroCounts();
  private broker: BrokerStatus | undefined;
  private lastDelivered = new Map<string, number>();

  constructor(
    private readonly node: string,
    private readonly now: () => number,
    private readonly limits: CollectorLimits = DEFAULT_COLLECTOR_LIMITS,
    private readonly random: () => number = Math.random,
  ) {}

  private event(event: Omit<InspectorEvent, 'at' | 'node' | 'count'>, conn?: ObservedConnection): void {
    const key = eventKey(event);
    const seen = this.events.get(key);
    if (seen === undefined && this.events.size >= this.limits.maxEvents) {
      this.eventsDropped++;
      return;
    }
    const who =
      conn === undefined ? {} : { conn: conn.id, ...(conn.user === undefined ? {} : { user: conn.user }) };
    // The latest occurrence's time and connection, with the count of all.
    this.events.set(key, {
      at: this.now(),
      node: this.node,
      ...event,
      ...who,
      count: (seen?.count ?? 0) + 1,
    });
  }

  connectionOpened(): void {
    this.counts.opened++;
  }

  connectionClosed(conn: ObservedConnection, { code, reason }: { code: number; reason: string }): void {
    this.counts.closed++;
    if (!ORDINARY_CLOSES.has(code)) this.event({ kind: 'close', code, reason }, conn);
  }

  refused({ code, reason }: { code: number; reason: string }): void {
    this.counts.refused++;
    this.event({ kind: 'refused', code, reason });
  }

  received(_conn: ObservedConnection, bytes: number): void {
    this.counts.bytesIn += bytes;
  }

  sent(_conn: ObservedConnection, bytes: number): void {
    this.counts.bytesOut += bytes;
  }

  callStarted({ procedure, conn }: { procedure: string; conn: ObservedConnection }): CallWatch {
    return {
      // Counted in the interval it ends in.
      finished: ({ code, durationMs }) => {
        let counts = this.procedures.get(procedure);
        if (counts === undefined) {
          counts = { calls: 0, errors: {}, samples: [] };
          this.procedures.set(procedure, counts);
        }
        counts.calls++;
        this.sample(counts, durationMs);
        if (code !== 'OK') {
          counts.errors[code] = (counts.errors[code] ?? 0) + 1;
          this.event(
            { kind: 'error', code, reason: `${procedure} answered ${code}`, subject: procedure },
            conn,
          );
        }
      },
    };
  }

  /** Keeps a uniform sample of at most `maxSamples` latencies (reservoir sampling). */
  private sample(counts: ProcedureCounts, durationMs: number): void {
    if (counts.samples.length < this.limits.maxSamples) {
      counts.samples.push(durationMs);
      return;
    }
    const slot = Math.floor(this.random() * counts.calls);
    if (slot < this.limits.maxSamples) counts.samples[slot] = durationMs;
  }

  private topic(name: string) {
    let counts = this.topics.get(name);
    if (counts === undefined) {
      counts = { published: 0, delivered: 0 };
      this.topics.set(name, counts);
    }
    return counts;
  }

  published({ topic }: { topic: string }): void {
    this.topic(topic).published++;
  }

  delivered({
    topic,
    channel,
    kind,
    recipients,
  }: {
    topic: string;
    channel: string;
    kind: string;
    recipients: number;
  }): void {
    if (kind !== 'message') return;
    this.topic(topic).delivered += recipients;
    const seen = this.channels.get(channel);
    if (seen !== undefined || this.channels.size < this.limits.maxChannels)
      this.channels.set(channel, (seen ?? 0) + recipients);
  }

  gap({ topic, channel }: { topic: string; channel: string }): void {
    this.event({
      kind: 'gap',
      code: 'GAP',
      reason: `messages lost on ${channel}; subscribers resync`,
      subject: topic,
    });
  }

  volatileDropped(): void {
    this.counts.volatileDropped++;
  }

  slowConsumer(conn: ObservedConnection, bufferedBytes: number): void {
    this.event({ kind: 'slow-consumer', code: 4009, reason: `${bufferedBytes} bytes unsent` }, conn);
  }

  rateLimited(conn: ObservedConnection, closing: boolean): void {
    this.counts.rateLimited++;
    if (closing)
      this.event(
        { kind: 'rate-limited', code: 4008, reason: 'too many RATE_LIMITED replies in a row' },
        conn,
      );
  }

  protocolError(conn: ObservedConnection, closing: boolean): void {
    this.counts.protocolErrors++;
    if (closing)
      this.event({ kind: 'protocol-error', code: 4000, reason: 'too many malformed frames' }, conn);
  }

  brokerStatus(status: BrokerStatus, error: Error | undefined): void {
    this.broker = status;
    this.event({
      kind: 'broker',
      code: status,
      reason: error === undefined ? `broker ${status}` : `broker ${status}: ${error.message}`,
    });
  }

  /**
   * The figures since the last call (or creation), for a node whose snapshot is `snapshot`;
   * starts the next interval. `brokerStatus`: the broker's own word, when it has one.
   */
  takeTick(snapshot: ServerSnapshot, intervalMs: number, brokerStatus?: string): Tick {
    const procedures = [...this.procedures].map(([procedure, { calls, errors, samples }]) => {
      samples.sort((a, b) => a - b);
      return { procedure, calls, errors, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
    });
    const tick: Tick = {
      node: this.node,
      at: this.now(),
      intervalMs,
      connections: snapshot.connections.length,
      ...this.counts,
      callsInFlight: snapshot.connections.reduce((sum, conn) => sum + conn.callsInFlight, 0),
      broker: brokerStatus ?? this.broker ?? snapshot.broker ?? null,
      procedures,
      topics: [...this.topics].map(([topic, counts]) => ({ topic, ...counts })),
      events: [...this.events.values()],
      eventsDropped: this.eventsDropped,
    };
    this.lastDelivered = this.channels;
    this.procedures = new Map();
    this.topics = new Map();
    this.channels = new Map();
    this.events = new Map();
    this.eventsDropped = 0;
    this.counts = zeroCounts();
    return tick;
  }

  /** The tables of `snapshot`, bounded; channel rates are those of the last tick taken. */
  state(snapshot: ServerSnapshot): NodeState {
    const { maxRows } = this.limits;
    const connections: ConnectionRow[] = [...snapshot.connections]
      .sort((a, b) => b.openedAt - a.openedAt)
      .slice(0, maxRows)
      .map((conn) => ({
        id: conn.id,
        user: conn.user ?? null,
        remoteAddress: conn.remoteAddress ?? null,
        openedAt: conn.openedAt,
        subscriptions: [...conn.subscriptions],
        bufferedBytes: conn.bufferedBytes,
        callsInFlight: conn.callsInFlight,
      }));
    const channels: ChannelRow[] = [...snapshot.channels]
      .sort((a, b) => b.subscribers - a.subscribers || a.key.localeCompare(b.key))
      .slice(0, maxRows)
      .map((channel) => ({ ...channel, delivered: this.lastDelivered.get(channel.key) ?? 0 }));
    return {
      node: this.node,
      at: snapshot.at,
      connections,
      connectionCount: snapshot.connections.length,
      channels,
      channelCount: snapshot.channels.length,
    };
  }
}
