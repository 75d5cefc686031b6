/**
 * The browser: Vite bundles a tiny page that imports @sockkit/client (a Vue page that uses
 * @sockkit/vue, and a React page on @sockkit/react and @sockkit/react/query) from the tarballs; a Node server from the tarballs serves the page and the
 * WebSocket on one port; headless Chromium loads each page, which connects, calls both ways,
 * subscribes and publishes, and writes its outcome into the page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Child, chromiumArgs, findChromium, startNode } from '@sockkit/testing';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeRun, run } from '../src/run.ts';

const context = inject('packChecks');
const chromiumPath = findChromium();
const withVue = context.packed.some((p) => p.name === '@sockkit/vue');
const withReact = context.packed.some((p) => p.name === '@sockkit/react');
const viteEntry = pathToFileURL(createRequire(import.meta.url).resolve('vite')).href;

interface Outcome {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

describe.skipIf(!chromiumPath)('consumer project (browser)', () => {
  let server: Child | undefined;
  let origin = '';
  let buildOutput = '';

  beforeAll(async () => {
    if (!context.consumerDir) throw new Error(`no consumer project: ${context.consumerError}`);
    const pages = [
      'index',
      ...(withVue && context.installed.includes('@sockkit/vue') ? ['vue'] : []),
      ...(withReact && context.installed.includes('@sockkit/react') ? ['react'] : []),
    ].join(',');
    const built = await run(process.execPath, ['build-web.mjs', viteEntry, pages], {
      cwd: context.consumerDir,
      timeoutMs: 120_000,
    });
    if (built.code !== 0) throw new Error(describeRun(built));
    buildOutput = built.stdout + built.stderr;
    server = await startNode(['web-server.mjs'], /LISTENING (\d+)/, {
      cwd: context.consumerDir,
      timeoutMs: 20_000,
    });
    origin = `http://127.0.0.1:${server.ready[1]}`;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('Vite built the page without externalizing any Node module', () => {
    expect(buildOutput).toContain('BUILD-OK');
    expect(buildOutput).not.toMatch(/externalized for browser compatibility/i);
  });

  async function visit(path: string): Promise<{ outcome: Outcome; problems: string[] }> {
    const profile = mkdtempSync(join(context.workDir, 'chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath ?? '',
      args: chromiumArgs,
      timeout: 30_000,
    });
    const problems: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          problems.push(`console.${message.type()}: ${message.text()}`);
        }
      });
      await page.goto(`${origin}${path}`, { timeout: 30_000 });
      await page.waitForFunction(
        () => document.getElementById('result')?.textContent !== 'pending',
        undefined,
        {
          timeout: 30_000,
        },
      );
      const text = (await page.textContent('#result')) ?? '';
      return { outcome: JSON.parse(text) as Outcome, problems };
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }

  it('@sockkit/client connects, calls both ways, subscribes and publishes in Chromium', async () => {
    const { outcome, problems } = await visit('/');
    expect(outcome, problems.join('\n')).toEqual({
      ok: true,
      echo: 'from the browser',
      pong: 'pong',
      asked: true,
      message: 'hello topic',
      state: 'closed',
    });
    expect(problems).toEqual([]);
  });

  it.skipIf(!withVue)('@sockkit/vue useCall renders a server reply in Chromium', async () => {
    expect(context.installed, '@sockkit/vue is public but was not built').toContain('@sockkit/vue');
    const { outcome, problems } = await visit('/vue.html');
    expect(outcome, problems.join('\n')).toEqual({ ok: true, echo: 'from vue' });
    expect(problems).toEqual([]);
  });

  it.skipIf(!withReact)(
    '@sockkit/react hooks and /query render server replies in Chromium, in StrictMode',
    async () => {
      expect(context.installed, '@sockkit/react is public but was not built').toContain('@sockkit/react');
      const { outcome, problems } = await visit('/react.html');
      expect(outcome, problems.join('\n')).toEqual({
        ok: true,
        state: 'open',
        echo: 'from react',
        pong: 'pong',
        message: 'hello react',
        subscriptions: 1, // StrictMode's second mount left one subscription, not two
      });
      expect(problems).toEqual([]);
    },
  );
});
