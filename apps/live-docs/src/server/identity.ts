/**
 * Who a connection is. A browser keeps a random secret token (localStorage) and sends it as a
 * connection param; the user key is a hash of it. The key is what others see (presence, the
 * people of a document, history authors), so showing it never lets anyone act as that person.
 * This is a demo's identity, not account security: whoever holds the token is that person.
 */
import { createHash } from 'node:crypto';
import { SockkitError } from '@sockkit/core';
import * as z from 'zod';

/** The auth context of a live-docs connection. */
export interface LiveDocsAuth {
  /** The person's key (groups their tabs in presence; owner and member rows name it). */
  user: string;
  /** The display name they connected with ('' before they chose one). */
  name: string;
}

/** The connection params a client sends. */
export const connectParams = z.object({
  /** The secret identity token: at least 16 URL-safe characters. */
  token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  name: z.string().trim().max(64).optional(),
});
export type ConnectParams = z.infer<typeof connectParams>;

/** The user key of an identity token: 22 URL-safe characters (132 bits of a SHA-256). */
export function userKeyOf(token: string): string {
  return createHash('sha256').update(`live-docs:${token}`).digest('base64url').slice(0, 22);
}

/** Checks connection params; UNAUTHORIZED (the client does not retry) when they are unusable. */
export function identify(params: unknown): LiveDocsAuth {
  const parsed = connectParams.safeParse(params);
  if (!parsed.success) {
    throw new SockkitError('UNAUTHORIZED', 'connect with params { token } (16 to 128 URL-safe characters)');
  }
  return { user: userKeyOf(parsed.data.token), name: parsed.data.name ?? '' };
}
