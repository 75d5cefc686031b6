/**
 * Reading what a client sent (the server's side): the schema decides, except for a well-formed
 * `call` or `chunk`, the most frequent kinds, and `hello`, on every connect path. These are
 * checked by hand against exactly the limits of their schemas, so the common case allocates no
 * parsed copy (a traced call included: its `tp` is held to the schema's own pattern). The hand
 * check only ever accepts: what it does not pass goes to the schema, which decides and explains.
 */
import type * as z from 'zod';
import { TRACEPARENT, WIRE_BOUNDS } from './bounds.js';
import { isId, isKind, isName } from './fields.js';
import { type ClientMessage, clientMessageSchema } from './schemas.js';

/** Parses a message a client sent. */
export function readClientMessage(raw: unknown): z.ZodSafeParseResult<ClientMessage> {
  if (isKind(raw, 'call') && isId(raw.id) && isName(raw.p) && isTraceparentField(raw.tp))
    return { success: true, data: raw as ClientMessage };
  if (isKind(raw, 'chunk') && isId(raw.id)) return { success: true, data: raw as ClientMessage };
  // Once per connection, on the connect path: `params` may be anything, `session` is bounded.
  if (isKind(raw, 'hello') && isSessionField(raw.session))
    return { success: true, data: raw as ClientMessage };
  return clientMessageSchema.safeParse(raw);
}

/** A hello's optional `session` within the bound in UTF-16 units (the schema decides the rest). */
function isSessionField(session: unknown): boolean {
  return session === undefined || (typeof session === 'string' && session.length <= WIRE_BOUNDS.session);
}

/** A call's optional `tp`, as the schema takes it: absent, or a version-00 traceparent. */
function isTraceparentField(tp: unknown): boolean {
  return tp === undefined || (typeof tp === 'string' && TRACEPARENT.test(tp));
}

/** The kinds a client may send, for error messages about unknown ones. */
export const CLIENT_KINDS: ReadonlySet<string> = /* @__PURE__ */ new Set(
  clientMessageSchema.options.map((option) => option.shape.t.value),
);

/** Says what is wrong with a message's kind, without echoing a large value back. */
export function describeKind(raw: unknown): string {
  const kind = typeof raw === 'object' && raw !== null ? (raw as { t?: unknown }).t : undefined;
  if (typeof kind === 'string' && CLIENT_KINDS.has(kind)) return `malformed '${kind}' message`;
  let shown: string;
  if (typeof kind === 'string')
    shown =
      kind.length > 32
        ? `${JSON.stringify(kind.slice(0, 32))}… (${kind.length} characters)`
        : JSON.stringify(kind);
  else if (typeof kind === 'object' && kind !== null) shown = Array.isArray(kind) ? 'an array' : 'an object';
  else shown = JSON.stringify(kind ?? null);
  return `unknown message kind ${shown}`;
}
