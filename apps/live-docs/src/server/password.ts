/**
 * The operator's password on a request, for the routes live-docs guards with one (`/metrics`,
 * the inspector): HTTP Basic with any user name, or a Bearer token where the route allows it
 * (a Prometheus scrape config sends either).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Whether `authorization` (a request header) carries `password`: as Basic, or as Bearer if `bearer`. */
export function carriesPassword(
  authorization: string | undefined,
  password: string,
  { bearer = false }: { bearer?: boolean } = {},
): boolean {
  const given =
    (bearer ? /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] : undefined) ?? basicPassword(authorization);
  // Compared as digests: same length whatever was sent, so the time says nothing about the password.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return given !== undefined && timingSafeEqual(digest(given), digest(password));
}

/** The password of Basic credentials (`user:password`, base64), if the header holds them. */
function basicPassword(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}
