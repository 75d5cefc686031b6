/**
 * The text formats the Redis broker stores and publishes. A payload is already encoded by the
 * server's codec; here it is only framed, never parsed or re-serialised, so each message is
 * encoded once however many nodes relay it.
 *
 * - body: `<metaLength>:<meta><json>`, with length 0 for no meta and empty json for no value
 *   (neither is ever the empty string when present).
 * - member: `<JSON [conn] or [conn, user]>\n<body>` (JSON.stringify never emits a raw newline).
 * - pub/sub event: `m<epoch>\n<offset>\n<body>` for a message (empty offset: volatile), or
 *   `j|u|l<version>\n<member>` for a presence join, update or leave, where version counts
 *   the channel's presence changes (it orders events against a members snapshot). Lua builds
 *   both forms itself, so both sides must agree on them (see scripts.ts); a message published
 *   after replicas acknowledged it is built here by {@link encodeMessageEvent}.
 */
import type { EncodedPayload } from '@sockkit/core';
import type { BrokerMember, BrokerMessage, BrokerPresence } from '@sockkit/server';

/** Frames an encoded payload as one string. */
export function encodeBody(payload: EncodedPayload): string {
  const meta = payload.meta ?? '';
  return `${meta.length}:${meta}${payload.json ?? ''}`;
}

/** Reads a body back; throws on a malformed one. */
export function decodeBody(text: string, from = 0): EncodedPayload {
  const colon = text.indexOf(':', from);
  const length = Number(text.slice(from, colon));
  if (colon < 0 || !Number.isInteger(length) || length < 0) throw new Error('malformed body');
  const metaEnd = colon + 1 + length;
  if (metaEnd > text.length) throw new Error('malformed body');
  const json = text.slice(metaEnd);
  return {
    json: json === '' ? undefined : json,
    meta: length === 0 ? undefined : text.slice(colon + 1, metaEnd),
  };
}

/** Frames a presence member. */
export function encodeMember(member: BrokerMember): string {
  const head = member.user === undefined ? [member.conn] : [member.conn, member.user];
  return `${JSON.stringify(head)}\n${encodeBody(member.state)}`;
}

/** Reads a member back; throws on a malformed one. */
export function decodeMember(text: string, from = 0): BrokerMember {
  const newline = text.indexOf('\n', from);
  if (newline < 0) throw new Error('malformed member');
  const head: unknown = JSON.parse(text.slice(from, newline));
  if (!Array.isArray(head) || typeof head[0] !== 'string') throw new Error('malformed member');
  const user: unknown = head[1];
  return {
    conn: head[0],
    user: typeof user === 'string' ? user : undefined,
    state: decodeBody(text, newline + 1),
  };
}

const PRESENCE_TYPES = { j: 'join', u: 'update', l: 'leave' } as const;

/** A presence change as it arrives, with what ordering and the members mirror need. */
export interface PresenceChange extends BrokerPresence {
  /** The channel's presence version after this change. */
  readonly version: number;
  /** The member as Redis stores it. */
  readonly encoded: string;
}

/** A pub/sub event as it arrives. */
export type WireEvent = BrokerMessage | PresenceChange;

/** The pub/sub event of a durable message, as the publish script builds it. */
export function encodeMessageEvent(epoch: string, offset: number, body: string): string {
  return `m${epoch}\n${offset}\n${body}`;
}

/** Reads a pub/sub event; throws on a malformed one. */
export function decodeEvent(text: string): WireEvent {
  const tag = text[0];
  if (tag === 'm') {
    const first = text.indexOf('\n');
    const second = text.indexOf('\n', first + 1);
    if (first < 0 || second < 0) throw new Error('malformed message event');
    const epoch = text.slice(1, first);
    const offsetText = text.slice(first + 1, second);
    const offset = offsetText === '' ? undefined : Number(offsetText);
    if (offset !== undefined && !Number.isSafeInteger(offset)) throw new Error('malformed message offset');
    return { kind: 'message', epoch, offset, payload: decodeBody(text, second + 1) };
  }
  if (tag === 'j' || tag === 'u' || tag === 'l') {
    const newline = text.indexOf('\n');
    const version = Number(text.slice(1, newline));
    if (newline < 0 || !Number.isSafeInteger(version)) throw new Error('malformed presence event');
    const encoded = text.slice(newline + 1);
    return { kind: 'presence', type: PRESENCE_TYPES[tag], member: decodeMember(encoded), version, encoded };
  }
  throw new Error('unknown event tag');
}

/** The connection id of an encoded member, without decoding its state. */
export function memberConn(encoded: string): string {
  const head: unknown = JSON.parse(encoded.slice(0, encoded.indexOf('\n')));
  if (!Array.isArray(head) || typeof head[0] !== 'string') throw new Error('malformed member');
  return head[0];
}

/** The offset of a stream entry id `<offset>-0`. */
export function offsetOfId(id: string): number {
  const dash = id.indexOf('-');
  const offset = Number(dash < 0 ? id : id.slice(0, dash));
  if (!Number.isSafeInteger(offset)) throw new Error(`malformed stream id ${id}`);
  return offset;
}
