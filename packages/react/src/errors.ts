/** Normalising whatever a call, publish or subscription rejected with into a `SockkitError`. */
import { isSockkitError, SockkitError } from '@sockkit/core';

/**
 * The error as a SockkitError: sockkit errors (from any copy of the package) keep their code;
 * anything else becomes INTERNAL with its own message, since it was raised on this side.
 */
export function toSockkitError(error: unknown): SockkitError {
  if (error instanceof SockkitError) return error;
  if (isSockkitError(error)) return SockkitError.from(error);
  const message = error instanceof Error ? error.message : String(error);
  return new SockkitError('INTERNAL', message, { cause: error });
}
