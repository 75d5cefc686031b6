/**
 * `/metrics` of live-docs as `npm start` runs it: on with LIVE_DOCS_METRICS_PASSWORD, behind
 * that password; absent without it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnLiveDocs } from './app-fixture.js';
import { connectAs } from './people.js';

const dir = mkdtempSync(join(tmpdir(), 'live-docs-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const httpOf = (wsUrl: string) => wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '/metrics');
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('live-docs /metrics', () => {
  it('with LIVE_DOCS_METRICS_PASSWORD: refuses scrapes without it, serves the figures with it', async () => {
    const { child, url } = await spawnLiveDocs(join(dir, 'on.sqlite'), {
      LIVE_DOCS_METRICS_PASSWORD: 's3cret',
    });
    try {
      const client = connectAs(url, 'metrics-tester');
      await client.ready();
      await client.call.createDoc({ title: 'one' });
      await client.call.createDoc({ title: 'two' });
      const endpoint = httpOf(url);

      const none = await fetch(endpoint);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Basic realm="metrics"');
      expect(await none.text()).not.toContain('sockkit_');
      for (const authorization of [
        basic('prom', 'wrong'),
        'Bearer s3cre',
        'Bearer s3cret!',
        's3cret',
        basic('s3cret', ''),
      ])
        expect((await fetch(endpoint, { headers: { authorization } })).status).toBe(401);

      for (const authorization of [basic('prom', 's3cret'), 'Bearer s3cret']) {
        const response = await fetch(endpoint, { headers: { authorization } });
        expect(response.status).toBe(200);
        const text = await response.text();
        expect(text).toContain('sockkit_calls_total{procedure="createDoc",code="OK"} 2');
        expect(text).toMatch(/^sockkit_connections\{node="[^"]+"\} 1$/m);
      }
      await client.close();
    } finally {
      await child.stop();
    }
  });

  it('without it: /metrics is not served', async () => {
    const { child, url } = await spawnLiveDocs(join(dir, 'off.sqlite'));
    try {
      const response = await fetch(httpOf(url), { headers: { authorization: 'Bearer anything' } });
      expect(response.status).not.toBe(401);
      expect(await response.text()).not.toContain('sockkit_');
    } finally {
      await child.stop();
    }
  });
});
