/**
 * Who is connecting. DEMO TOKENS, NOT FOR PRODUCTION: POST /login hands a signed token to
 * anyone for any name (see page.ts). A real app checks a password, or reads its own session
 * cookie from `request.headers`; what sockkit needs is only `authenticate` at the end.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type AuthContextOf, type AuthRequest, SockkitError } from '@sockkit/server';
import { z } from 'zod';

const secret = process.env.CHAT_SECRET ?? 'demo secret: set CHAT_SECRET, the same on every node';
const admins = new Set((process.env.CHAT_ADMINS ?? 'admin').split(','));
const claims = z.object({ name: z.string(), admin: z.boolean() });

/** A token for `name`: its claims, base64url, a dot, and their HMAC. */
export function issueToken(name: string): string {
  const body = Buffer.from(JSON.stringify({ name, admin: admins.has(name) })).toString('base64url');
  return `${body}.${sign(body)}`;
}

function sign(body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function readToken(token: unknown): z.infer<typeof claims> | undefined {
  if (typeof token !== 'string') return undefined;
  const [body = '', signature = ''] = token.split('.');
  const expected = Buffer.from(sign(body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return claims.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
}

/** Runs once per connection (and per in-band refresh): its result is `ctx.auth` everywhere. */
export function authenticate({ params }: AuthRequest) {
  const user = readToken((params as { token?: unknown } | undefined)?.token);
  if (user === undefined) throw new SockkitError('UNAUTHORIZED', 'invalid token: log in again');
  return { context: user, user: user.name };
}

/** `{ name: string; admin: boolean }`, inferred from `authenticate`. */
export type Auth = AuthContextOf<typeof authenticate>;
