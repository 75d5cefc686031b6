/**
 * Serving the built page: files under one root, and `index.html` for every other GET (the
 * app's routes, `/` and `/r/<room>`), with a Content-Security-Policy that forbids inline
 * scripts behind the sanitiser.
 */
import { createReadStream, type Stats, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** The policy every page is served with. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
  "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** A request handler serving `root`, with `index.html` for paths that name no file. */
export function serveStatic(root: string): (request: IncomingMessage, response: ServerResponse) => void {
  const base = resolve(root);
  const index = join(base, 'index.html');
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const asked = resolve(base, normalize(`.${pathname}`));
    const inside = asked.startsWith(base + sep);
    const file = inside && fileStats(asked)?.isFile() ? asked : index;
    const stats = fileStats(file);
    if (!stats) {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('the page is not built (npm run build -w @sockkit/chat)');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': stats.size,
      'cache-control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  };
}

function fileStats(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
