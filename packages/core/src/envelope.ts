/**
 * The wire protocol's message shapes as zod schemas: the one definition both sides parse
 * with. A frame is a JSON text holding one message object or an array of them (a batch).
 * Payloads travel as `d` (JSON) plus optional `m` (codec metadata); see docs/protocol.md.
 */
import * as z from 'zod';
import { errorCodeList } from './codes.js';

const id = /* @__PURE__ */ z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const name = /* @__PURE__ */ z.string().min(1).max(128);
const channel = /* @__PURE__ */ z.string().min(1).max(1024);
const epoch = /* @__PURE__ */ z.string().min(1).max(64);
const offset = /* @__PURE__ */ z.number().int().nonnegative();
/** Codec metadata (superjson `meta`), opaque to the envelope. */
const meta = /* @__PURE__ */ z.unknown().optional();

/** A topic position: which history (`epoch`) and how far into it (`offset`). */
export const positionSchema = /* @__PURE__ */ z.object({ epoch, offset });

/** An error as it travels in `error` frames and `unsubscribed`. */
export const wireErrorSchema = /* @__PURE__ */ z.object({
  code: z.enum(errorCodeList),
  message: z.string().max(4096),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** A presence member on the wire: connection id, user key, encoded state. */
export const memberSchema = /* @__PURE__ */ z.object({
  conn: z.string(),
  user: z.string().optional(),
  d: z.unknown().optional(),
  m: meta,
});

// Messages either side may send.
const call = /* @__PURE__ */ z.object({
  t: z.literal('call'),
  id,
  p: name,
  d: z.unknown().optional(),
  m: meta,
});
const result = /* @__PURE__ */ z.object({ t: z.literal('result'), id, d: z.unknown().optional(), m: meta });
const error = /* @__PURE__ */ z.object({ t: z.literal('error'), id: id.optional(), e: wireErrorSchema });
const cancel = /* @__PURE__ */ z.object({ t: z.literal('cancel'), id });
const ping = /* @__PURE__ */ z.object({ t: z.literal('ping'), id: id.optional() });
const pong = /* @__PURE__ */ z.object({ t: z.literal('pong'), id: id.optional() });

// Client to server.
const hello = /* @__PURE__ */ z.object({
  t: z.literal('hello'),
  params: z.unknown().optional(),
  session: z.string().max(128).optional(),
});
const auth = /* @__PURE__ */ z.object({ t: z.literal('auth'), id, params: z.unknown().optional() });
const sub = /* @__PURE__ */ z.object({
  t: z.literal('sub'),
  id,
  topic: name,
  params: z.unknown().optional(),
  from: positionSchema.optional(),
  presence: z.object({ d: z.unknown().optional(), m: meta }).optional(),
});
const unsub = /* @__PURE__ */ z.object({ t: z.literal('unsub'), id, c: channel });
const pub = /* @__PURE__ */ z.object({
  t: z.literal('pub'),
  id,
  topic: name,
  params: z.unknown().optional(),
  d: z.unknown().optional(),
  m: meta,
  volatile: z.boolean().optional(),
});
const pset = /* @__PURE__ */ z.object({
  t: z.literal('pset'),
  id,
  c: channel,
  d: z.unknown().optional(),
  m: meta,
});

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
  d: z.unknown().optional(),
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
/** A presence member as it travels. */
export type WireMember = z.infer<typeof memberSchema>;
/** A position in a channel's history: its epoch and the last offset. */
export type TopicPosition = z.infer<typeof positionSchema>;
/** The message kinds of the protocol. */
export type MessageKind = ClientMessage['t'] | ServerMessage['t'];
