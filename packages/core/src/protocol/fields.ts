/**
 * Hand-written checks of envelope fields, exactly as strict as their schemas in schemas.ts
 * (test/protocol.test.ts holds each reader to its schema's verdict). No zod here: browser
 * bundles read server messages with these alone.
 */
import { isErrorCode } from '../codes.js';
import { isText, TRACEPARENT, WIRE_BOUNDS } from './bounds.js';

/** An object that is not an array (`z.object`). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose `t` is `kind`. */
export function isKind(raw: unknown, kind: string): raw is Record<string, unknown> {
  return isObject(raw) && raw.t === kind;
}

/** A call id or offset: a non-negative safe integer. */
export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** An optional id. */
export const isOptionalId = (value: unknown): boolean => value === undefined || isId(value);

/** A finite number (`z.number()`). */
export const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** A procedure or topic name. */
export const isName = (value: unknown): value is string => isText(value, WIRE_BOUNDS.name);
/** An optional W3C `traceparent` (call field `tp`). */
export const isOptionalTraceparent = (value: unknown): boolean =>
  value === undefined || (typeof value === 'string' && TRACEPARENT.test(value));
/** A channel key. */
export const isChannel = (value: unknown): value is string => isText(value, WIRE_BOUNDS.channel);
/** An epoch. */
export const isEpoch = (value: unknown): value is string => isText(value, WIRE_BOUNDS.epoch);

/** A plain object, as `z.record()` accepts (for JSON values: any object that is not an array). */
function isPlainRecord(value: unknown): boolean {
  if (!isObject(value)) return false;
  const ctor = value.constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const proto = ctor.prototype;
  return isObject(proto) && Object.hasOwn(proto, 'isPrototypeOf');
}

/** `{ code, message, details? }` (wireErrorSchema). */
export function isWireError(value: unknown): boolean {
  return (
    isObject(value) &&
    isErrorCode(value.code) &&
    isText(value.message, WIRE_BOUNDS.errorMessage, 0) &&
    (value.details === undefined || isPlainRecord(value.details))
  );
}

/** `{ conn, user?, d?, m? }` (memberSchema). */
export function isMember(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.conn === 'string' &&
    (value.user === undefined || typeof value.user === 'string')
  );
}
