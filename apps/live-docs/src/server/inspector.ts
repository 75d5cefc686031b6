/**
 * The sockkit inspector of live-docs at `/_inspector`, for the people who run it: on only when
 * a password is configured (LIVE_DOCS_INSPECTOR_PASSWORD), behind HTTP Basic authentication
 * (any user name, that password). The browser asks for it on the page and sends it again with
 * the page's socket, which lives under the same path.
 */
import type { Server as HttpServer } from 'node:http';
import { createInspector, type InspectedServer, type Inspector } from '@sockkit/inspector';
import type { Broker, Logger } from '@sockkit/server';
import { contract } from '../contract.js';
import { carriesPassword } from './password.js';

/** Where the inspector is mounted. */
export const INSPECTOR_PATH = '/_inspector';

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
    authorize: (request) => carriesPassword(request.headers.authorization, password),
    challenge: 'Basic realm="live-docs inspector", charset="UTF-8"',
    ...(options.broker ? { broker: options.broker } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
