/**
 * Who a connection is. A browser keeps a random secret token (localStorage) and sends it, with
 * the name it chose, as connection params; the user key is a hash of the token. The key is
 * what others see (presence, message authors), so seeing it never lets anyone act as that
 * person. A demo's identity, as in live-docs, not account security: whoever holds the token
 * is that person.
 */
import { createHash } from 'node:crypto';
import { SockkitError } from '@sockkit/core';
import * as z from 'zod';

/** The auth context of a chat connection. */
export interface ChatAuth {
  /** The person's key: stamped on their messages, groups their tabs in presence. */
  user: string;
  /** The display name they connected with. */
  name: string;
}

/** The connection params a page sends. */
export const connectParams = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  name: z.string().trim().min(1).max(64),
});
export type ConnectParams = z.infer<typeof connectParams>;

/** The user key of an identity token: 22 URL-safe characters of a SHA-256. */
export function userKeyOf(token: string): string {
  return createHash('sha256').update(`chat:${token}`).digest('base64url').slice(0, 22);
}

/** Checks connection params; UNAUTHORIZED (close 4001, no retry) when they are unusable. */
export function identify(params: unknown): ChatAuth {
  const parsed = connectParams.safeParse(params);
  if (!parsed.success) {
    throw new SockkitError(
      'UNAUTHORIZED',
      'connect with params { token, name } (a token of 16 to 128 URL-safe characters)',
    );
  }
  return { user: userKeyOf(parsed.data.token), name: parsed.data.name };
}
