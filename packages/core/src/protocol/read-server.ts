/**
 * Reading what a server sent (the client's side), by hand: one check per kind, exactly as
 * strict as that kind's schema in schemas.ts, so a browser bundle carries no zod. A message
 * that passes is returned as is (no parsed copy); one that does not is `undefined`.
 */
import {
  isChannel,
  isEpoch,
  isId,
  isMember,
  isName,
  isNumber,
  isObject,
  isOptionalId,
  isOptionalTraceparent,
  isWireError,
} from './fields.js';
import type { ServerMessage } from './schemas.js';

type Check = (raw: Record<string, unknown>) => boolean;

const isLimits = (value: unknown): boolean =>
  isObject(value) &&
  isNumber(value.maxMessageBytes) &&
  isNumber(value.maxCallsInFlight) &&
  isNumber(value.maxSubscriptions);

const isMembers = (value: unknown): boolean => Array.isArray(value) && value.every(isMember);

/** One check per kind a server sends. */
const checks: Record<ServerMessage['t'], Check> = {
  result: (m) => isId(m.id),
  msg: (m) => isChannel(m.c) && isEpoch(m.e) && isOptionalId(m.o),
  call: (m) => isId(m.id) && isName(m.p) && isOptionalTraceparent(m.tp),
  error: (m) => isOptionalId(m.id) && isWireError(m.e),
  cancel: (m) => isId(m.id),
  welcome: (m) =>
    typeof m.session === 'string' &&
    typeof m.conn === 'string' &&
    (m.expiresAt === undefined || isNumber(m.expiresAt)) &&
    isLimits(m.limits),
  authok: (m) => isId(m.id) && (m.expiresAt === undefined || isNumber(m.expiresAt)),
  subscribed: (m) =>
    isOptionalId(m.id) &&
    isName(m.topic) &&
    isChannel(m.c) &&
    isEpoch(m.epoch) &&
    isId(m.offset) &&
    typeof m.recovered === 'boolean' &&
    (m.presence === undefined || isMembers(m.presence)),
  unsubscribed: (m) => isChannel(m.c) && (m.e === undefined || isWireError(m.e)),
  presence: (m) =>
    isChannel(m.c) && (m.ev === 'join' || m.ev === 'update' || m.ev === 'leave') && isMember(m.member),
  ping: (m) => isOptionalId(m.id),
  pong: (m) => isOptionalId(m.id),
};

/** Checks a message a server sent; `undefined` when it is not a valid server message. */
export function readServerMessage(raw: unknown): ServerMessage | undefined {
  if (!isObject(raw) || typeof raw.t !== 'string' || !Object.hasOwn(checks, raw.t)) return undefined;
  return checks[raw.t as ServerMessage['t']](raw) ? (raw as ServerMessage) : undefined;
}
