import { describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  ERROR_CODES,
  finalCloseError,
  HEARTBEAT_TIMEOUT_CLOSE,
  NORMAL_CLOSE,
} from '../src/codes.js';
import { isSockkitError, SockkitError } from '../src/errors.js';

describe('SockkitError', () => {
  it('crosses the wire as code, message and details only', () => {
    const error = new SockkitError('CONFLICT', 'stale', { details: { version: 3 }, cause: new Error('db') });
    expect(error.toWire()).toEqual({ code: 'CONFLICT', message: 'stale', details: { version: 3 } });
    expect(JSON.stringify(error.toWire())).not.toContain('stack');
    expect(SockkitError.fromWire(error.toWire())).toMatchObject({
      code: 'CONFLICT',
      message: 'stale',
      details: { version: 3 },
    });
  });

  it('normalises unknown errors to INTERNAL without their message', () => {
    const error = SockkitError.from(new Error('password=hunter2'));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('internal server error');
    expect(error.toWire().message).not.toContain('hunter2');
  });

  it('recognises an error from another copy of the package by name and code', () => {
    const foreign = Object.assign(new Error('nope'), { name: 'SockkitError', code: 'FORBIDDEN' });
    expect(isSockkitError(foreign, 'FORBIDDEN')).toBe(true);
    expect(SockkitError.from(foreign)).toMatchObject({ code: 'FORBIDDEN', message: 'nope' });
    expect(isSockkitError(Object.assign(new Error('x'), { name: 'SockkitError', code: 'MADE_UP' }))).toBe(
      false,
    );
  });

  it('knows which codes are retryable', () => {
    expect(new SockkitError('UNAVAILABLE', 'x').retryable).toBe(true);
    expect(new SockkitError('BAD_REQUEST', 'x').retryable).toBe(false);
    expect(Object.keys(ERROR_CODES)).toContain('PAYLOAD_TOO_LARGE');
  });

  it('tells which close codes a client stops after, and the error it reports them with', () => {
    expect(finalCloseError(CLOSE_CODES.SERVICE_RESTART.code)).toBeUndefined();
    expect(finalCloseError(CLOSE_CODES.SESSION_EXPIRED.code)).toBeUndefined();
    expect(finalCloseError(1006)).toBeUndefined();
    expect(finalCloseError(4999)).toBeUndefined();
    expect(finalCloseError(CLOSE_CODES.NORMAL.code)).toBe('UNAVAILABLE');
    expect(finalCloseError(CLOSE_CODES.UNAUTHORIZED.code)).toBe('UNAUTHORIZED');
    expect(finalCloseError(CLOSE_CODES.UNSUPPORTED_PROTOCOL.code)).toBe('BAD_REQUEST');
    expect(finalCloseError(CLOSE_CODES.ORIGIN_NOT_ALLOWED.code)).toBe('FORBIDDEN');
    expect(finalCloseError(CLOSE_CODES.DISCONNECTED.code)).toBe('FORBIDDEN');
    for (const entry of Object.values(CLOSE_CODES))
      expect(finalCloseError(entry.code) === undefined, String(entry.code)).toBe(entry.reconnect);
    const codes = Object.values(CLOSE_CODES).map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('reads the final closes from the same entries as CLOSE_CODES (the client bundles only those)', () => {
    for (const entry of Object.values(CLOSE_CODES))
      expect(finalCloseError(entry.code), String(entry.code)).toBe(
        'error' in entry ? entry.error : undefined,
      );
    const listed = new Set<number>(Object.values(CLOSE_CODES).map((c) => c.code));
    for (let code = 1000; code < 5000; code++)
      if (finalCloseError(code) !== undefined) expect(listed.has(code), String(code)).toBe(true);
    expect(NORMAL_CLOSE).toBe(CLOSE_CODES.NORMAL.code);
    expect(HEARTBEAT_TIMEOUT_CLOSE).toBe(CLOSE_CODES.HEARTBEAT_TIMEOUT.code);
  });
});
