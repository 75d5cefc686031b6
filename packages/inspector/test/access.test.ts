/**
 * The inspector is never open by default: without `authorize` it does not start, and a
 * request or socket that `authorize` refuses sees nothing (401, close 4001), while one it
 * allows gets the page, its files and its data.
 */
import { createServer, request as httpRequest } from 'node:http';
import { createSockkitClient } from '@sockkit/client/node';
import { defineContract } from '@sockkit/core';
import { createSockkitServer, silentLogger } from '@sockkit/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createInspector, type InspectorOptions, inspectorContract } from '../src/index.js';
import { appContract, COOKIE, startApp } from './app-fixture.js';

/** A raw GET (fetch would normalise `..` away). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject).end();
    },
  );
}

describe('inspector access', () => {
  it('does not start without an authorize function', async () => {
    const http = createServer();
    const server = createSockkitServer({
      contract: defineContract({ topics: { t: { message: z.string() } } }),
      server: http,
      logger: silentLogger,
    });
    const options = { server, contract: appContract, http, path: '/inspect' } as unknown as InspectorOptions;
    expect(() => createInspector(options)).toThrow(/authorize\(request\)` is required/);
    expect(() => createInspector({ ...options, authorize: () => true, path: 'inspect' })).toThrow(TypeError);
    await server.close();
  });

  it('answers 401 to the page and its files without credentials, and serves them with', async () => {
    await using app = await startApp();
    const refused = await get(app.page);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Cookie');
    expect(refused.body).not.toContain('<script');
    expect((await get(app.page, { cookie: 'inspector=guess' })).status).toBe(401);

    const page = await get(app.page, { cookie: COOKIE });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    expect((await get(`${app.page}${asset}`)).status).toBe(401);
    const script = await get(`${app.page}${asset}`, { cookie: COOKIE });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');

    // The bare path redirects to the page (relative asset URLs need the slash).
    const bare = await get(`${app.origin}/ops/inspector`, { cookie: COOKIE });
    expect(bare).toMatchObject({ status: 308, headers: { location: '/ops/inspector/' } });
    // Nothing outside the built page, however the path is spelled.
    for (const path of [
      '%2e%2e/%2e%2e/package.json',
      '..%2f..%2fpackage.json',
      'assets/%2e%2e/%2e%2e/%2e%2e/package.json',
      '%E0%A4%A',
    ]) {
      const outside = await get(`${app.page}${path}`, { cookie: COOKIE });
      expect([400, 404]).toContain(outside.status);
      expect(outside.body).not.toContain('@sockkit/inspector');
    }
    // Other paths are the app's.
    expect((await get(`${app.origin}/ops/inspectorx`)).body).toBe('app page');
    expect((await get(`${app.origin}/`)).body).toBe('app page');
  });

  it('closes a socket without credentials with 4001 before it gets any data, and serves one with', async () => {
    await using app = await startApp();
    const url = `${app.page.replace('http', 'ws')}socket`;
    const intruder = createSockkitClient({ url, contract: inspectorContract, reconnect: false });
    const errors: string[] = [];
    intruder.on('error', (error) => errors.push(`${error.code} ${String(error.details?.closeCode)}`));
    await expect(intruder.call.describe()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(errors).toContain('UNAUTHORIZED 4001');
    expect(intruder.state).toBe('closed');

    const { WebSocket } = await import('ws');
    const Allowed = class extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { headers: { cookie: COOKIE } });
      }
    };
    const operator = createSockkitClient({
      url,
      contract: inspectorContract,
      reconnect: false,
      WebSocket: Allowed as never,
    });
    const description = await operator.call.describe();
    expect(description.title).toBe('test app');
    expect(Object.keys(description.asyncapi.operations as object)).toContain('server.echo');
    await operator.close();
  });
});
