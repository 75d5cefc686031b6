import type { Server } from 'node:http';
import { findChromium } from '@sockkit/testing';
import { openChromium, type TestChromium } from '@sockkit/testing/chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, servePage } from './browser-page.js';
import { countingServer } from './fixtures.js';

const executablePath = findChromium();

/** The page's script: a client whose states and errors the test reads from `window.outcome`. */
const PAGE_SCRIPT = `
import { createSockkitClient } from '@sockkit/client';
const query = new URLSearchParams(location.search);
const outcome = { states: [], errors: [] };
window.outcome = outcome;
const client = createSockkitClient({
  url: query.get('ws'),
  contract: {},
  params: () => ({ token: query.get('token') }),
  reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
});
client.on('state', (state) => outcome.states.push(state));
client.on('error', (e) => outcome.errors.push({ code: e.code, message: e.message, closeCode: e.details?.closeCode }));
`;

interface Outcome {
  states: string[];
  errors: { code: string; message: string; closeCode?: number }[];
}

const outcomeOf = (page: Page) => page.evaluate(() => (window as unknown as { outcome: Outcome }).outcome);

describe.skipIf(!executablePath)('refusals in Chromium', () => {
  let chromium: TestChromium;
  let context: BrowserContext;
  let page: { http: Server; origin: string };

  beforeAll(async () => {
    page = await servePage(await bundlePage(PAGE_SCRIPT));
    chromium = await openChromium(executablePath!, 'refusals');
    context = chromium.context;
  });

  afterAll(async () => {
    await chromium?.close();
    page?.http.close();
  });

  /** Opens the page against `port` and waits until its client ended. */
  async function visit(port: number, token: string, until: (o: Outcome) => boolean): Promise<Page> {
    const tab = await context.newPage();
    await tab.goto(`${page.origin}/?ws=${encodeURIComponent(`ws://127.0.0.1:${port}/`)}&token=${token}`);
    await expect.poll(() => outcomeOf(tab)).toSatisfy(until);
    return tab;
  }

  /** Waits long enough for several reconnect attempts (20–50 ms apart) that must not come. */
  const quiet = () => new Promise((resolve) => setTimeout(resolve, 500));

  it('a page on another origin gets FORBIDDEN naming its origin, ends closed and tries no more', async () => {
    await using counted = await countingServer();
    const tab = await visit(counted.port, 'alice', (o) => o.states.includes('closed'));
    await quiet();
    const outcome = await outcomeOf(tab);
    expect(outcome.errors).toEqual([
      {
        code: 'FORBIDDEN',
        message: `origin not allowed by the server's allowedOrigins: ${page.origin}`,
        closeCode: 4005,
      },
    ]);
    expect(outcome.states).toEqual(['closed']);
    expect(counted.upgrades()).toBe(1);
    await tab.close();
  });

  it('a refused token gets UNAUTHORIZED with the reason, ends closed and tries no more', async () => {
    await using counted = await countingServer({ allowedOrigins: [page.origin] });
    const tab = await visit(counted.port, 'bad', (o) => o.states.includes('closed'));
    await quiet();
    const outcome = await outcomeOf(tab);
    expect(outcome.errors).toEqual([{ code: 'UNAUTHORIZED', message: 'bad token', closeCode: 4001 }]);
    expect(counted.upgrades()).toBe(1);
    await tab.close();
  });

  it('a user disconnected by the server gets FORBIDDEN with the reason, ends closed and tries no more', async () => {
    await using counted = await countingServer({ allowedOrigins: [page.origin] });
    const tab = await visit(counted.port, 'alice', (o) => o.states.includes('open'));
    await expect(counted.server.user('alice').disconnect('signed out on another device')).resolves.toBe(1);
    await expect.poll(async () => (await outcomeOf(tab)).states.at(-1)).toBe('closed');
    await quiet();
    const outcome = await outcomeOf(tab);
    expect(outcome.errors).toEqual([
      { code: 'FORBIDDEN', message: 'signed out on another device', closeCode: 4006 },
    ]);
    expect(outcome.states).toEqual(['open', 'closed']);
    expect(counted.upgrades()).toBe(1);
    await tab.close();
  });
});
