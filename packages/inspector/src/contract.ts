/**
 * The inspector's own contract: the page gets everything over sockkit itself.
 *
 * - `ticks` (durable): every node publishes one per interval with the figures of that
 *   interval (calls, latencies, errors, rates, bytes) and the events it saw. The page
 *   subscribes with history, so it draws the last minutes at once, across nodes when the
 *   inspector's broker is shared by them.
 * - `state` (volatile): every node's tables as they are now (connections, channels); only the
 *   latest matters, so nothing is kept.
 * - `contract`: the app's contract as its AsyncAPI document (what `sockkit asyncapi` prints).
 */
import { defineContract } from '@sockkit/core';
import * as z from 'zod';

const count = z.number().int().nonnegative();

/** Calls of one procedure in one interval. */
export const procedureTick = z.object({
  procedure: z.string(),
  calls: count,
  /** Answers by error code (`OK` not counted). */
  errors: z.record(z.string(), count),
  /** Latency percentiles in ms of the calls answered in the interval; null without any. */
  p50: z.number().nullable(),
  p99: z.number().nullable(),
});

/** One topic in one interval. */
export const topicTick = z.object({
  topic: z.string(),
  /** Messages published from this node. */
  published: count,
  /** Message frames queued for this node's subscribers. */
  delivered: count,
});

/** Something an operator wants to see: a close, a refusal, a failed call, a slow consumer. */
export const inspectorEvent = z.object({
  at: z.number(),
  node: z.string(),
  kind: z.enum([
    'close',
    'refused',
    'error',
    'slow-consumer',
    'rate-limited',
    'protocol-error',
    'gap',
    'broker',
  ]),
  /** A close code (number) or an error code (string). */
  code: z.union([z.number(), z.string()]),
  reason: z.string(),
  conn: z.string().optional(),
  user: z.string().optional(),
  /** The procedure of a failed call, the topic of a gap. */
  subject: z.string().optional(),
  /**
   * How often it happened in the interval (same kind, code, subject and reason); `at`, `conn`
   * and `user` are those of the last time.
   */
  count: count.min(1),
});
export type InspectorEvent = z.infer<typeof inspectorEvent>;

/** What makes two events the same for an operator: everything but when, where, who and how often. */
export const eventKey = (event: Pick<InspectorEvent, 'kind' | 'code' | 'subject' | 'reason'>): string =>
  JSON.stringify([event.kind, event.code, event.subject ?? null, event.reason]);

/** One node's figures for one interval. */
export const tickSchema = z.object({
  node: z.string(),
  at: z.number(),
  intervalMs: z.number().positive(),
  /** Open connections at the end of the interval. */
  connections: count,
  opened: count,
  closed: count,
  refused: count,
  bytesIn: count,
  bytesOut: count,
  callsInFlight: count,
  volatileDropped: count,
  rateLimited: count,
  protocolErrors: count,
  /** The broker's status (`ready`, `reconnecting`…); null for brokers that report none (in-process). */
  broker: z.string().nullable(),
  procedures: z.array(procedureTick),
  topics: z.array(topicTick),
  /** The distinct events of the interval, at most `limits.maxEvents`; `eventsDropped` counts the rest. */
  events: z.array(inspectorEvent),
  eventsDropped: count,
});
export type Tick = z.infer<typeof tickSchema>;

/** A connection in a node's table. */
export const connectionRow = z.object({
  id: z.string(),
  user: z.string().nullable(),
  remoteAddress: z.string().nullable(),
  openedAt: z.number(),
  subscriptions: z.array(z.string()),
  bufferedBytes: count,
  callsInFlight: count,
});
export type ConnectionRow = z.infer<typeof connectionRow>;

/** A channel with subscribers on a node. */
export const channelRow = z.object({
  key: z.string(),
  topic: z.string(),
  subscribers: count,
  presence: count,
  /** Message frames queued for its subscribers in the last interval. */
  delivered: count,
});
export type ChannelRow = z.infer<typeof channelRow>;

/** One node's tables now. */
export const stateSchema = z.object({
  node: z.string(),
  at: z.number(),
  /** Its connections, newest first, at most `maxRows`; `connectionCount` is the total. */
  connections: z.array(connectionRow),
  connectionCount: count,
  /** Its channels, most subscribed first, at most `maxRows`; `channelCount` is the total. */
  channels: z.array(channelRow),
  channelCount: count,
});
export type NodeState = z.infer<typeof stateSchema>;

/** The inspector's settings and the app's contract as an AsyncAPI 3.0 document. */
export const descriptionSchema = z.object({
  title: z.string(),
  intervalMs: z.number(),
  historyTicks: count,
  asyncapi: z.record(z.string(), z.unknown()),
});
export type Description = z.infer<typeof descriptionSchema>;

/** The inspector's contract: `describe`, and the topics `ticks` and `state`. */
export const inspectorContract = defineContract({
  server: {
    describe: { output: descriptionSchema, idempotent: true },
  },
  topics: {
    ticks: { message: tickSchema },
    state: { message: stateSchema, volatile: true },
  },
});

/** The type of {@link inspectorContract}. */
export type InspectorContract = typeof inspectorContract;
