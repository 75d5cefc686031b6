/**
 * `SockkitError`: the one error type of sockkit, on both sides of the wire. It carries a stable
 * `code` from codes.ts and optional structured `details` (zod issues, limits); it crosses the
 * wire as `{ code, message, details }`, never with a stack or a cause.
 */
import { ERROR_CODES, type ErrorCode, isErrorCode } from './codes.js';
import { clampText } from './protocol/bounds.js';

/** One validation issue as it crosses the wire (a subset of a zod issue). */
export interface WireIssue {
  /** Where in the value the issue is, e.g. `['items', 2, 'name']`. */
  path: (string | number)[];
  /** Human-readable description. */
  message: string;
  /** The zod issue code, e.g. `invalid_type`. */
  code: string;
}

/** Structured, serialisable detail attached to an error. */
export interface ErrorDetails {
  /** Validation issues, for BAD_REQUEST from a schema. */
  issues?: WireIssue[];
  /** The limit that was exceeded (bytes, count). */
  limit?: number;
  /** When a RATE_LIMITED request may be retried. */
  retryAfterMs?: number;
  [key: string]: unknown;
}

/** An error as it travels in an `error` frame. */
export interface WireError {
  /** Stable error code. */
  code: ErrorCode;
  /** Human-readable message, safe to show. */
  message: string;
  /** Structured detail. */
  details?: ErrorDetails;
}

/** Options for {@link SockkitError}. */
export interface SockkitErrorOptions {
  /** Structured, serialisable detail sent with the error. */
  details?: ErrorDetails;
  /** The underlying error; kept locally, never sent. */
  cause?: unknown;
}

/**
 * The error every sockkit API rejects with.
 *
 * @example
 * ```ts
 * throw new SockkitError('NOT_FOUND', `no document ${id}`);
 * // on the caller: err.code === 'NOT_FOUND'
 * ```
 */
export class SockkitError extends Error {
  /** Always `'SockkitError'`: how copies of the package recognise each other's errors. */
  override readonly name = 'SockkitError';
  /** Stable code; match on this, never on `message`. */
  readonly code: ErrorCode;
  /** Structured detail, safe to send to the peer. */
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options: SockkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** Whether the same request may succeed later. */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  /** The wire form: code, message and details only. */
  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Rebuilds an error received from the peer. */
  static fromWire(wire: WireError): SockkitError {
    return new SockkitError(wire.code, wire.message, wire.details ? { details: wire.details } : {});
  }

  /**
   * Normalises anything thrown into a SockkitError. Recognised by `name` and `code`, not
   * `instanceof`, so two copies of the package still agree. Unknown errors become INTERNAL
   * with a generic message: their text may hold internals and must not reach the peer.
   */
  static from(error: unknown): SockkitError {
    if (error instanceof SockkitError) return error;
    if (isSockkitErrorLike(error)) {
      return new SockkitError(error.code, error.message, {
        details: error.details as ErrorDetails,
        cause: error,
      });
    }
    return new SockkitError('INTERNAL', 'internal server error', { cause: error });
  }
}

function isSockkitErrorLike(
  error: unknown,
): error is { code: ErrorCode; message: string; details?: unknown } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'SockkitError' &&
    isErrorCode((error as { code?: unknown }).code) &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Whether `error` is a SockkitError (from any copy of the package), optionally with `code`. */
export function isSockkitError(error: unknown, code?: ErrorCode): error is SockkitError {
  if (!(error instanceof SockkitError) && !isSockkitErrorLike(error)) return false;
  return code === undefined || (error as SockkitError).code === code;
}

/**
 * Converts zod issues (or anything issue-shaped) to their wire form, bounded: input from a peer
 * can make thousands of issues, or paths through keys of any length, and none of it should be
 * echoed back whole. At most 20 issues, paths of at most 32 segments of at
 * most 64 characters, messages of at most 256: their wire form stays well within
 * `WIRE_BOUNDS.errorDetails`.
 */
export function toWireIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[],
): WireIssue[] {
  return issues.slice(0, MAX_WIRE_ISSUES).map((issue) => ({
    path: issue.path.slice(0, 32).map((key) => (typeof key === 'number' ? key : clampText(String(key), 64))),
    message: clampText(issue.message, 256),
    code: clampText(issue.code, 64),
  }));
}

/** Most validation issues an error carries. */
export const MAX_WIRE_ISSUES = 20;
