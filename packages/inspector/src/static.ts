/**
 * Serving the built page (dist/web) under the inspector's path: files only from that
 * directory, `index.html` for the path itself, long caching for hashed assets, and a
 * Content-Security-Policy allowing nothing but the page's own scripts and its socket.
 */
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Sends the file `relative` (a path below the page's root, '' for the page) of `root`. */
export function sendFile(root: string, relative: string, response: ServerResponse, head: boolean): void {
  const base = resolve(root);
  const file = relative === '' ? resolve(base, 'index.html') : resolve(base, relative);
  const size = file.startsWith(base + sep) ? fileSize(file) : undefined;
  if (size === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': relative.startsWith('assets/') ? 'private, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (head) response.end();
  else createReadStream(file).pipe(response);
}

function fileSize(file: string): number | undefined {
  try {
    const stats = statSync(file);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}
