/**
 * The messages a client sends, as zod schemas (the kinds both sides send are in envelope.ts):
 * what a server parses inbound. A module of its own so that browser bundles, which only parse
 * what servers send, leave it out.
 */
import * as z from 'zod';
import {
  call,
  cancel,
  channel,
  error,
  id,
  isHot,
  isId,
  isText,
  meta,
  name,
  ping,
  pong,
  positionSchema,
  result,
  type ServerMessage,
} from './envelope.js';

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

/** Parses a message a client sent: `call` by hand when well formed, anything else by the schema. */
export function parseClientMessage(raw: unknown): z.ZodSafeParseResult<ClientMessage> {
  if (isHot(raw, 'call') && isId(raw.id) && isText(raw.p, 128))
    return { success: true, data: raw as ClientMessage };
  return clientMessageSchema.safeParse(raw);
}

/** A message a client sends, after validation. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;
/** The message kinds of the protocol. */
export type MessageKind = ClientMessage['t'] | ServerMessage['t'];
