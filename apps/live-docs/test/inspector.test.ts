/**
 * live-docs mounts the sockkit inspector at /_inspector when, and only when, it has a password
 * (LIVE_DOCS_INSPECTOR_PASSWORD for `npm start`): HTTP Basic with that password, for the page,
 * its files and its socket. Run as `npm start` runs it (a child process), and in Chromium: the
 * browser that was asked for the password sends it with the page's socket too, and the page
 * counts the live-docs connections the test opens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSockkitClient } from '@sockkit/client/node';
import { inspectorContract } from '@sockkit/inspector';
import { findChromium } from '@sockkit/testing';
import { openChromium } from '@sockkit/testing/chromium';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { carriesPassword } from '../src/server/password.js';
import { spawnLiveDocs } from './app-fixture.js';
import { connectAs } from './people.js';

const dir = mkdtempSync(join(tmpdir(), 'live-docs-inspector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const executablePath = findChromium();

describe('carriesPassword', () => {
  it('takes Basic credentials with the password, any user name, and nothing else', () => {
    expect(carriesPassword(basic('ops', 's3cret:x'), 's3cret:x')).toBe(true);
    expect(carriesPassword(basic('', 's3cret:x'), 's3cret:x')).toBe(true);
    expect(carriesPassword(basic('ops', 's3cret'), 's3cret:x')).toBe(false);
    expect(carriesPassword(basic('ops', 's3cret:x!'), 's3cret:x')).toBe(false);
    expect(carriesPassword(`Basic ${Buffer.from('s3cret:x').toString('base64')}`, 'x')).toBe(true);
    expect(carriesPassword(`Basic ${Buffer.from('no colon').toString('base64')}`, 'no colon')).toBe(false);
    expect(carriesPassword(undefined, 's3cret')).toBe(false);
    expect(carriesPassword('Bearer s3cret', 's3cret')).toBe(false);
    // Where a route takes a Bearer token too (/metrics), Basic still works.
    expect(carriesPassword('Bearer s3cret', 's3cret', { bearer: true })).toBe(true);
    expect(carriesPassword('Bearer s3cret!', 's3cret', { bearer: true })).toBe(false);
    expect(carriesPassword(basic('prometheus', 's3cret'), 's3cret', { bearer: true })).toBe(true);
    expect(carriesPassword('Basic !!!', 's3cret')).toBe(false);
  });
});

describe('the inspector in live-docs', () => {
  it('is not there without LIVE_DOCS_INSPECTOR_PASSWORD', async () => {
    const { child, url } = await spawnLiveDocs(join(dir, 'off.sqlite'));
    try {
      const origin = url.replace('ws://', 'http://').replace(/\/ws$/, '');
      const page = await fetch(`${origin}/_inspector/`, { headers: { authorization: basic('ops', '') } });
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain('inspector');
      // Nobody takes the upgrade: it never opens.
      const socket = new WebSocket(`${origin.replace('http', 'ws')}/_inspector/socket`, {
        handshakeTimeout: 1000,
      });
      const outcome = await new Promise<string>((resolve) => {
        socket.once('open', () => resolve('open'));
        socket.once('error', (error) => resolve(error.message));
      });
      expect(outcome).toBe('Opening handshake has timed out');
    } finally {
      await child.stop();
    }
  });

  it('asks for the password with LIVE_DOCS_INSPECTOR_PASSWORD, and with it shows the live-docs connections in Chromium', async () => {
    const password = 'correct horse';
    const { child, url } = await spawnLiveDocs(join(dir, 'on.sqlite'), {
      LIVE_DOCS_INSPECTOR_PASSWORD: password,
    });
    const people = [connectAs(url, 'ada'), connectAs(url, 'bob')];
    try {
      const origin = url.replace('ws://', 'http://').replace(/\/ws$/, '');
      const refused = await fetch(`${origin}/_inspector/`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Basic realm="live-docs inspector"');
      expect(
        (await fetch(`${origin}/_inspector/`, { headers: { authorization: basic('ops', 'wrong') } })).status,
      ).toBe(401);
      const page = await fetch(`${origin}/_inspector/`, {
        headers: { authorization: basic('ops', password) },
      });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
      // The app itself is unchanged.
      expect((await fetch(`${origin}/`)).status).toBe(200);
      const intruder = createSockkitClient({
        url: `${origin.replace('http', 'ws')}/_inspector/socket`,
        contract: inspectorContract,
        reconnect: false,
      });
      await expect(intruder.call.describe()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await intruder.close();
      await Promise.all(people.map((person) => person.call.me()));

      if (!executablePath) return; // findChromium said so loudly (and fails under SOCKKIT_REQUIRE_ALL)
      const chromium = await openChromium(executablePath, 'live-docs-inspector');
      try {
        const tab = await chromium.context.newPage();
        await tab.goto(
          `${origin.replace('http://', `http://ops:${encodeURIComponent(password)}@`)}/_inspector/`,
        );
        await tab.waitForSelector('.status[data-status="open"]');
        await expect.poll(() => tab.locator('[data-figure="connections"]').textContent()).toBe('2');
        await expect.poll(() => tab.locator('h1').textContent()).toBe('live-docs');
        await expect
          .poll(() => tab.locator('.contract details[data-procedure="server.pushUpdates"]').count())
          .toBe(1);
        await people[0]?.close();
        await expect.poll(() => tab.locator('[data-figure="connections"]').textContent()).toBe('1');
      } finally {
        await chromium.close();
      }
    } finally {
      await Promise.all(people.map((person) => person.close()));
      await child.stop();
    }
  });
});
