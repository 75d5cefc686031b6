/**
 * `/metrics` for Prometheus, on only when the operator set a password
 * (LIVE_DOCS_METRICS_PASSWORD): sockkit's metrics (`@sockkit/server/metrics`, loaded only
 * then) behind HTTP Basic (any user name) or a Bearer token, the two ways a Prometheus scrape
 * config sends a secret. Without a password the path is not special: it falls through to the
 * web app like any other.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerObserver } from '@sockkit/server';

/** The metrics endpoint: the observer to register, and the route. */
export interface MetricsRoute {
  readonly observer: ServerObserver;
  /** Serves `/metrics` and returns true; false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

/** The metrics route guarded by `password`. */
export async function metricsRoute(password: string): Promise<MetricsRoute> {
  const { createSockkitMetrics } = await import('@sockkit/server/metrics');
  const metrics = createSockkitMetrics();
  return {
    observer: metrics.observer,
    handle(request, response) {
      if (new URL(request.url ?? '/', 'http://x').pathname !== '/metrics') return false;
      if (!authorized(request.headers.authorization, password)) {
        response
          .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="metrics"' })
          .end('unauthorized\n');
        return true;
      }
      void metrics.handler(request, response);
      return true;
    },
  };
}

/** Whether an Authorization header carries `password`, as Basic (any user) or Bearer. */
function authorized(header: string | undefined, password: string): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  let secret: string;
  if (scheme?.toLowerCase() === 'bearer') secret = value;
  else if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString();
    secret = decoded.slice(decoded.indexOf(':') + 1);
  } else return false;
  const given = Buffer.from(secret);
  const expected = Buffer.from(password);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
