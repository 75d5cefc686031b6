/**
 * One builder per message kind: the only place sockkit writes the wire. Builders splice
 * pre-encoded payloads into templates, so a payload is serialised once however many frames
 * carry it, and they keep the bounds of schemas.ts by construction: texts that can be clamped
 * are clamped (error messages, details), values that cannot (channel keys, names) are bounded
 * where they are made (`channelKey`, `defineContract`). test/protocol.test.ts parses the output
 * of every builder, at every bound, with the schemas.
 */
import type { EncodedPayload } from '../codec.js';
import { isErrorCode } from '../codes.js';
import type { WireError } from '../errors.js';
import { clampText, TRACEPARENT, WIRE_BOUNDS } from './bounds.js';
import type { TopicPosition } from './schemas.js';

/** A presence member to put on the wire: its state already encoded. */
export interface MemberFields {
  /** The member's connection id. */
  readonly conn: string;
  /** The user key `authenticate` gave the connection. */
  readonly user: string | undefined;
  /** The member's presence state, encoded once. */
  readonly state: EncodedPayload;
}

/** The limits a server announces in `welcome`. */
export interface AnnouncedLimits {
  /** Largest frame the server accepts. */
  readonly maxMessageBytes: number;
  /** Calls of one connection the server runs at once. */
  readonly maxCallsInFlight: number;
  /** Channels one connection may be subscribed to. */
  readonly maxSubscriptions: number;
}

const q = JSON.stringify;

/** `,"d":…,"m":…` for a payload, or '' for no value. */
function payloadFields(payload: EncodedPayload): string {
  let out = payload.json === undefined ? '' : `,"d":${payload.json}`;
  if (payload.meta !== undefined) out += `,"m":${payload.meta}`;
  return out;
}

/** `,"<key>":<json>` for a JSON value, or '' for undefined. */
function jsonField(key: string, value: unknown): string {
  return value === undefined ? '' : `,"${key}":${q(value)}`;
}

const idField = (id: number | undefined): string => (id === undefined ? '' : `,"id":${id}`);

// ---- both directions -------------------------------------------------------------------------

/**
 * `call`: run procedure `procedure` with the payload as input; `traceparent`, the caller's W3C
 * trace context, is carried only when it is one (version 00), else left out.
 */
export function callFrame(
  id: number,
  procedure: string,
  payload: EncodedPayload,
  traceparent?: string,
): string {
  const tp = traceparent !== undefined && TRACEPARENT.test(traceparent) ? `,"tp":"${traceparent}"` : '';
  return `{"t":"call","id":${id},"p":${q(procedure)}${payloadFields(payload)}${tp}}`;
}

/** `result`: the answer to call `id` (also the answer to `unsub`, `pset` and `pub`). */
export function resultFrame(id: number, payload: EncodedPayload = NO_PAYLOAD): string {
  return `{"t":"result","id":${id}${payloadFields(payload)}}`;
}

/** `error`: request `id` failed; without `id`, the error concerns a frame as a whole. */
export function errorFrame(id: number | undefined, error: WireError): string {
  return `{"t":"error"${idField(id)},"e":${wireErrorJson(error)}}`;
}

/** `cancel`: the caller gave up on call `id`. */
export function cancelFrame(id: number): string {
  return `{"t":"cancel","id":${id}}`;
}

/** `ping`: application-level liveness. */
export function pingFrame(id?: number): string {
  return `{"t":"ping"${idField(id)}}`;
}

/** `pong`: the answer to a `ping`, with its id. */
export function pongFrame(id?: number): string {
  return `{"t":"pong"${idField(id)}}`;
}

// ---- client to server ------------------------------------------------------------------------

/** `hello`: the first message, with the connection params (JSON). */
export function helloFrame(params: unknown): string {
  return `{"t":"hello"${jsonField('params', params)}}`;
}

/** `auth`: in-band re-authentication with fresh params. */
export function authFrame(id: number, params: unknown): string {
  return `{"t":"auth","id":${id}${jsonField('params', params)}}`;
}

/**
 * `sub`: subscribe to a channel of `topic`, resuming after `from`, with the `last` messages of
 * history first (when not resuming, or when `from` cannot be resumed), joining presence with
 * `presence`.
 */
export function subFrame(
  id: number,
  topic: string,
  params: unknown,
  from: TopicPosition | undefined,
  presence: EncodedPayload | undefined,
  last?: number,
): string {
  let fromPart = from === undefined ? '' : `,"from":{"epoch":${q(from.epoch)},"offset":${from.offset}}`;
  if (last !== undefined) fromPart += `,"last":${last}`;
  // The presence object holds only the payload fields (payloadFields starts with a comma).
  const presencePart = presence === undefined ? '' : `,"presence":{${payloadFields(presence).slice(1)}}`;
  return `{"t":"sub","id":${id},"topic":${q(topic)}${jsonField('params', params)}${fromPart}${presencePart}}`;
}

/** `unsub`: leave channel `channel`. */
export function unsubFrame(id: number, channel: string): string {
  return `{"t":"unsub","id":${id},"c":${q(channel)}}`;
}

/** `pub`: publish a message to a channel of `topic`. */
export function pubFrame(
  id: number,
  topic: string,
  params: unknown,
  payload: EncodedPayload,
  volatile: boolean,
): string {
  const v = volatile ? ',"volatile":true' : '';
  return `{"t":"pub","id":${id},"topic":${q(topic)}${jsonField('params', params)}${payloadFields(payload)}${v}}`;
}

/** `pset`: set this connection's presence state on channel `channel`. */
export function psetFrame(id: number, channel: string, payload: EncodedPayload): string {
  return `{"t":"pset","id":${id},"c":${q(channel)}${payloadFields(payload)}}`;
}

// ---- server to client ------------------------------------------------------------------------

/** `welcome`: the handshake is done. */
export function welcomeFrame(
  session: string,
  conn: string,
  expiresAt: number | undefined,
  limits: AnnouncedLimits,
): string {
  const { maxMessageBytes, maxCallsInFlight, maxSubscriptions } = limits;
  return `{"t":"welcome","session":${q(session)},"conn":${q(conn)}${jsonField('expiresAt', expiresAt)},"limits":{"maxMessageBytes":${maxMessageBytes},"maxCallsInFlight":${maxCallsInFlight},"maxSubscriptions":${maxSubscriptions}}}`;
}

/** `authok`: a refresh was accepted. */
export function authokFrame(id: number, expiresAt: number | undefined): string {
  return `{"t":"authok","id":${id}${jsonField('expiresAt', expiresAt)}}`;
}

/** What a `subscribed` says. */
export interface SubscribedFields {
  /** The `sub` it answers; absent when the server subscribed the connection itself. */
  readonly id: number | undefined;
  /** The topic's name. */
  readonly topic: string;
  /** The validated params (JSON), for the client to resubscribe with. */
  readonly params: unknown;
  /** The channel key. */
  readonly channel: string;
  /** Where the subscriber starts: messages above `position.offset` follow. */
  readonly position: TopicPosition;
  /** False when history no longer reached back to where a resume asked to start. */
  readonly recovered: boolean;
  /** The presence snapshot, for topics with presence. */
  readonly members: readonly MemberFields[] | undefined;
}

/** `subscribed`: the connection is subscribed to a channel. */
export function subscribedFrame(s: SubscribedFields): string {
  const presence = s.members === undefined ? '' : `,"presence":[${s.members.map(memberJson).join(',')}]`;
  return `{"t":"subscribed"${idField(s.id)},"topic":${q(s.topic)}${jsonField('params', s.params)},"c":${q(s.channel)},"epoch":${q(s.position.epoch)},"offset":${s.position.offset},"recovered":${s.recovered}${presence}}`;
}

/** `unsubscribed`: the server ended a subscription, with the reason if it was an error. */
export function unsubscribedFrame(channel: string, error?: WireError): string {
  return `{"t":"unsubscribed","c":${q(channel)}${error === undefined ? '' : `,"e":${wireErrorJson(error)}`}}`;
}

/**
 * `msg`: a message on a channel. The channel and epoch come JSON-quoted, because one channel's
 * frames share them: a broker event is quoted once for every subscriber.
 */
export function msgFrame(
  channelJson: string,
  epochJson: string,
  offset: number | undefined,
  payload: EncodedPayload,
): string {
  const o = offset === undefined ? '' : `,"o":${offset}`;
  return `{"t":"msg","c":${channelJson},"e":${epochJson}${o}${payloadFields(payload)}}`;
}

/** `presence`: a member joined, changed its state or left (channel JSON-quoted, as for `msg`). */
export function presenceFrame(
  channelJson: string,
  event: 'join' | 'update' | 'leave',
  member: MemberFields,
): string {
  return `{"t":"presence","c":${channelJson},"ev":"${event}","member":${memberJson(member)}}`;
}

// ---- parts -----------------------------------------------------------------------------------

const NO_PAYLOAD: EncodedPayload = { json: undefined, meta: undefined };

function memberJson(member: MemberFields): string {
  return `{"conn":${q(member.conn)}${jsonField('user', member.user)}${payloadFields(member.state)}}`;
}

/** An error's wire form within the bounds: message clamped, details that do not fit replaced. */
function wireErrorJson(error: WireError): string {
  const code = isErrorCode(error.code) ? error.code : 'INTERNAL';
  const message = q(clampText(String(error.message), WIRE_BOUNDS.errorMessage));
  return `{"code":"${code}","message":${message}${detailsField(error.details)}}`;
}

const TRUNCATED = ',"details":{"truncated":true}';

function detailsField(details: unknown): string {
  if (details === undefined) return '';
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return TRUNCATED;
  let text: string | undefined;
  try {
    text = q(details);
  } catch {
    return TRUNCATED; // BigInts, cycles: details are for people, the code is what programs read
  }
  if (text === undefined || text[0] !== '{' || text.length > WIRE_BOUNDS.errorDetails) return TRUNCATED;
  return `,"details":${text}`;
}
