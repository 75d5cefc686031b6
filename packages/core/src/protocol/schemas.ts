/**
 * The wire protocol's message shapes as zod schemas: the specification of every kind, both
 * directions. A server parses what clients send with {@link clientMessageSchema}; clients check
 * what servers send by hand (read-server.ts), held to {@link serverMessageSchema} by a property
 * test. A frame is a JSON text holding one message object or an array of them (a batch).
 * Payloads travel as `d` (JSON) plus optional `m` (codec metadata); see docs/protocol.md.
 */
import * as z from 'zod';
import { errorCodeList } from '../codes.js';
import { TRACEPARENT, WIRE_BOUNDS } from './bounds.js';

// Field schemas.
const id = /* @__PURE__ */ z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const name = /* @__PURE__ */ z.string().min(1).max(WIRE_BOUNDS.name);
const channel = /* @__PURE__ */ z.string().min(1).max(WIRE_BOUNDS.channel);
const epoch = /* @__PURE__ */ z.string().min(1).max(WIRE_BOUNDS.epoch);
const offset = /* @__PURE__ */ z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const data = /* @__PURE__ */ z.unknown().optional();
/** Codec metadata (superjson `meta`), opaque to the envelope. */
const meta = /* @__PURE__ */ z.unknown().optional();

/** A topic position: which history (`epoch`) and how far into it (`offset`). */
export const positionSchema = /* @__PURE__ */ z.object({ epoch, offset });

/** An error as it travels in `error` frames and `unsubscribed`. */
export const wireErrorSchema = /* @__PURE__ */ z.object({
  code: z.enum(errorCodeList),
  message: z.string().max(WIRE_BOUNDS.errorMessage),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** A presence member on the wire: connection id, user key, encoded state. */
export const memberSchema = /* @__PURE__ */ z.object({
  conn: z.string(),
  user: z.string().optional(),
  d: data,
  m: meta,
});

// Kinds both sides send.
/** The caller's W3C trace context (version 00): the callee's span becomes its child. */
const traceparent = /* @__PURE__ */ z.string().regex(TRACEPARENT);
const call = /* @__PURE__ */ z.object({
  t: z.literal('call'),
  id,
  p: name,
  d: data,
  m: meta,
  tp: traceparent.optional(),
});
const result = /* @__PURE__ */ z.object({ t: z.literal('result'), id, d: data, m: meta });
const error = /* @__PURE__ */ z.object({ t: z.literal('error'), id: id.optional(), e: wireErrorSchema });
const cancel = /* @__PURE__ */ z.object({ t: z.literal('cancel'), id });
const ping = /* @__PURE__ */ z.object({ t: z.literal('ping'), id: id.optional() });
const pong = /* @__PURE__ */ z.object({ t: z.literal('pong'), id: id.optional() });

// Client to server.
const hello = /* @__PURE__ */ z.object({
  t: z.literal('hello'),
  params: z.unknown().optional(),
  session: z.string().max(WIRE_BOUNDS.session).optional(),
});
const auth = /* @__PURE__ */ z.object({ t: z.literal('auth'), id, params: z.unknown().optional() });
const sub = /* @__PURE__ */ z.object({
  t: z.literal('sub'),
  id,
  topic: name,
  params: z.unknown().optional(),
  from: positionSchema.optional(),
  /** The last N messages of history, before live ones (and when `from` cannot be resumed). */
  last: z.number().int().nonnegative().max(WIRE_BOUNDS.history).optional(),
  presence: z.object({ d: data, m: meta }).optional(),
});
const unsub = /* @__PURE__ */ z.object({ t: z.literal('unsub'), id, c: channel });
const pub = /* @__PURE__ */ z.object({
  t: z.literal('pub'),
  id,
  topic: name,
  params: z.unknown().optional(),
  d: data,
  m: meta,
  volatile: z.boolean().optional(),
});
const pset = /* @__PURE__ */ z.object({ t: z.literal('pset'), id, c: channel, d: data, m: meta });

// Server to client.
const welcome = /* @__PURE__ */ z.object({
  t: z.literal('welcome'),
  session: z.string(),
  conn: z.string(),
  expiresAt: z.number().optional(),
  limits: z.object({
    maxMessageBytes: z.number(),
    maxCallsInFlight: z.number(),
    maxSubscriptions: z.number(),
  }),
});
const authok = /* @__PURE__ */ z.object({ t: z.literal('authok'), id, expiresAt: z.number().optional() });
const subscribed = /* @__PURE__ */ z.object({
  t: z.literal('subscribed'),
  /** The `sub` this answers; absent when the server subscribed the connection itself. */
  id: id.optional(),
  topic: name,
  params: z.unknown().optional(),
  c: channel,
  epoch,
  offset,
  recovered: z.boolean(),
  presence: z.array(memberSchema).optional(),
});
const unsubscribed = /* @__PURE__ */ z.object({
  t: z.literal('unsubscribed'),
  c: channel,
  e: wireErrorSchema.optional(),
});
const msg = /* @__PURE__ */ z.object({
  t: z.literal('msg'),
  c: channel,
  e: epoch,
  o: offset.optional(),
  d: data,
  m: meta,
});
const presence = /* @__PURE__ */ z.object({
  t: z.literal('presence'),
  c: channel,
  ev: z.enum(['join', 'update', 'leave']),
  member: memberSchema,
});

/** Any message a client may send. */
export const clientMessageSchema = /* @__PURE__ */ z.discriminatedUnion('t', [
  hello,
  auth,
  call,
  result,
  error,
  cancel,
  sub,
  unsub,
  pub,
  pset,
  ping,
  pong,
]);

/** Any message a server may send. */
export const serverMessageSchema = /* @__PURE__ */ z.discriminatedUnion('t', [
  welcome,
  authok,
  call,
  result,
  error,
  cancel,
  subscribed,
  unsubscribed,
  msg,
  presence,
  ping,
  pong,
]);

/** A message a client sends, after validation. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;
/** A message a server sends, after validation. */
export type ServerMessage = z.infer<typeof serverMessageSchema>;
/** The message kinds of the protocol. */
export type MessageKind = ClientMessage['t'] | ServerMessage['t'];
/** A presence member as it travels. */
export type WireMember = z.infer<typeof memberSchema>;
/** A position in a channel's history: its epoch and the last offset. */
export type TopicPosition = z.infer<typeof positionSchema>;
