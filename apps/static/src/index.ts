/**
 * Serving an app's built page, shared by the apps' servers (live-docs, chat): files under one
 * root, `index.html` for the app's routes (live-docs' `/d/<id>`, chat's `/r/<room>`), long
 * caching for hashed assets, and a Content-Security-Policy that forbids inline scripts as a
 * second line of defence behind the markdown sanitiser.
 */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** The policy every page is served with. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A request handler serving `root`: `index.html` for paths `isAppRoute` accepts, the file
 * otherwise; 404 for missing files.
 */
export function serveStatic(
  root: string,
  isAppRoute: (pathname: string) => boolean,
): (request: IncomingMessage, response: ServerResponse) => void {
  const base = resolve(root);
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const pathname = decodeSafe(new URL(request.url ?? '/', 'http://x').pathname);
    const file = isAppRoute(pathname) ? join(base, 'index.html') : resolve(base, normalize(`.${pathname}`));
    if (pathname === undefined || (file !== base && !file.startsWith(base + sep))) {
      response.writeHead(400).end();
      return;
    }
    const stats = statOrUndefined(file);
    if (!stats?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
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

function decodeSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '/\0';
  }
}

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
