/**
 * The HTTP side of the one port: the page Vite built (dist/web) and POST /login, which hands
 * out demo tokens (see auth.ts). The WebSocket endpoint shares the port: see main.ts.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { z } from 'zod';
import { issueToken } from './auth.js';

const types = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript'],
  ['.css', 'text/css'],
]);
const login = z.object({ name: z.string().trim().min(1).max(32) });

export function servePage(webRoot: string) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/login' && request.method === 'POST') return sendToken(request, response);
    const file = resolve(webRoot, path === '/' ? 'index.html' : `.${path}`);
    if (!file.startsWith(resolve(webRoot) + sep)) return void response.writeHead(404).end();
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types.get(extname(file)) ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  };
}

async function sendToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 1024) return void response.writeHead(413).end();
  }
  let name: string;
  try {
    name = login.parse(JSON.parse(body)).name;
  } catch {
    return void response.writeHead(400).end('send {"name": "1 to 32 characters"}');
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ token: issueToken(name) }));
}
