/**
 * `/metrics` for Prometheus, on only when the operator set a password
 * (LIVE_DOCS_METRICS_PASSWORD): sockkit's metrics (`@sockkit/server/metrics`, loaded only
 * then) behind HTTP Basic (any user name) or a Bearer token, the two ways a Prometheus scrape
 * config sends a secret. Without a password the path is not special: it falls through to the
 * web app like any other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerObserver } from '@sockkit/server';
import { carriesPassword } from './password.js';

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
      if (!carriesPassword(request.headers.authorization, password, { bearer: true })) {
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
