/**
 * Schema validation with sockkit's error shape: a failure becomes BAD_REQUEST (or the code
 * the caller names) carrying the zod issues in `details.issues`.
 */
import type * as z from 'zod';
import type { ErrorCode } from './codes.js';
import { SockkitError, toWireIssues } from './errors.js';
import { clampText } from './protocol/bounds.js';

/** Parses `value` with `schema` or throws a SockkitError listing the issues. */
export function validate(
  schema: z.ZodType,
  value: unknown,
  what: string,
  code: ErrorCode = 'BAD_REQUEST',
): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  return throwInvalid(parsed.error.issues, what, code);
}

function throwInvalid(issues: readonly z.core.$ZodIssue[], what: string, code: ErrorCode): never {
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at ${clampText(first.path.join('.'), 256)}` : '';
  const message = clampText(first?.message ?? 'rejected', 512);
  throw new SockkitError(code, `invalid ${what}${where}: ${message}`, {
    details: { issues: toWireIssues(issues) },
  });
}
