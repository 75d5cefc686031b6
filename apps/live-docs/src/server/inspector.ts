/**
 * The sockkit inspector of live-docs at `/_inspector`, for the people who run it: on only when
 * a password is configured (LIVE_DOCS_INSPECTOR_PASSWORD), behind HTTP Basic authentication
 * (any user name, that password). The browser asks for it on the page and sends it again with
 * the page's socket, which lives under the same path.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { createInspector, type InspectedServer, type Inspector } from '@sockkit/inspector';
import type { Broker, Logger } from '@sockkit/server';
import { contract } from '../contract.js';

/** Where the inspector is mounted. */
export const INSPECTOR_PATH = '/_inspector';

/** Whether `authorization` (a request header) carries Basic credentials with `password`. */
export function hasPassword(authorization: string | undefined, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const given = decoded.slice(decoded.indexOf(':') + 1);
  // Compared as digests: same length whatever was sent, so the time says nothing about the password.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return decoded.includes(':') && timingSafeEqual(digest(given), digest(password));
}

/** Mounts the inspector of `server` on `http`, for requests with the password. */
export function mountInspector(options: {
  server: InspectedServer;
  http: HttpServer;
  password: string;
  broker?: Broker;
  logger?: Logger;
}): Inspector {
  const { password } = options;
  return createInspector({
    server: options.server,
    contract,
    http: options.http,
    path: INSPECTOR_PATH,
    title: 'live-docs',
    authorize: (request) => hasPassword(request.headers.authorization, password),
    challenge: 'Basic realm="live-docs inspector", charset="UTF-8"',
    ...(options.broker ? { broker: options.broker } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
