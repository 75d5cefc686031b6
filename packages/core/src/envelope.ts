/**
 * The wire protocol's message shapes as zod schemas: the one definition both sides parse
 * with. A frame is a JSON text holding one message object or an array of them (a batch).
 * Payloads travel as `d` (JSON) plus optional `m` (codec metadata); see docs/protocol.md.
 */
import * as z from 'zod';
import { errorCodeList } from './codes.js';

// Field schemas (the shared ones exported for client-envelope.ts).
export const id = /* @__PURE__ */ z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const name = /* @__PURE__ */ z.string().min(1).max(128);
export const channel = /* @__PURE__ */ z.string().min(1).max(1024);
const epoch = /* @__PURE__ */ z.string().min(1).max(64);
const offset = /* @__PURE__ */ z.number().int().nonnegative();
/** Codec metadata (superjson `meta`), opaque to the envelope. */
export const meta = /* @__PURE__ */ z.unknown().optional();

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

// Messages either side may send (exported for client-envelope.ts).
export const call = /* @__PURE__ */ z.object({
  t: z.literal('call'),
  id,
  p: name,
  d: z.unknown().optional(),
  m: meta,
});
export const result = /* @__PURE__ */ z.object({
  t: z.literal('result'),
  id,
  d: z.unknown().optional(),
  m: meta,
});
export const error = /* @__PURE__ */ z.object({
  t: z.literal('error'),
  id: id.optional(),
  e: wireErrorSchema,
});
export const cancel = /* @__PURE__ */ z.object({ t: z.literal('cancel'), id });
export const ping = /* @__PURE__ */ z.object({ t: z.literal('ping'), id: id.optional() });
export const pong = /* @__PURE__ */ z.object({ t: z.literal('pong'), id: id.optional() });

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

/** A message a server sends, after validation. */
export type ServerMessage = z.infer<typeof serverMessageSchema>;
/** A presence member as it travels. */
export type WireMember = z.infer<typeof memberSchema>;
/** A position in a channel's history: its epoch and the last offset. */
export type TopicPosition = z.infer<typeof positionSchema>;

// ---- hot path ---------------------------------------------------------------------------------
// The most frequent kinds (`call`, `result`, `msg`) are checked by hand against exactly the
// limits of their schemas above, so that the common case allocates no parsed copy. The checks
// only ever accept: a message they do not pass goes to the schema, which decides and explains.
// test/envelope.test.ts holds both to the same verdict on messages around every limit.

/** A call id or offset: a non-negative safe integer (`id` / `offset` above). */
export function isId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A string of 1 to `max` UTF-16 units (`z.string().min(1).max(max)`). */
export function isText(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

/** An object whose `t` is `kind`. */
export function isHot(raw: unknown, kind: 'call' | 'result' | 'msg'): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && (raw as { t?: unknown }).t === kind;
}

/** Parses a message a server sent: `result` and `msg` by hand when well formed, anything else by the schema. */
export function parseServerMessage(raw: unknown): ServerMessage | undefined {
  if (isHot(raw, 'result') ? isId(raw.id) : isHot(raw, 'msg') && isHotMsg(raw)) return raw as ServerMessage;
  const parsed = serverMessageSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

function isHotMsg(raw: Record<string, unknown>): boolean {
  return isText(raw.c, 1024) && isText(raw.e, 64) && (raw.o === undefined || isId(raw.o));
}
