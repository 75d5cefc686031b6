/**
 * The README's figures, measured in Debian's Chromium against the built app:
 *  - send to the other page: Enter pressed in one page until the message is in the other
 *    page's DOM (two people, each in their own browser, one server, all on this machine),
 *    100 messages one after another;
 *  - opening a room with 10,000 messages of history: from the navigation's start until the
 *    first animation frame in which the newest 50 are in the DOM, 5 fresh page loads.
 * Both pages' times are `performance.timeOrigin + performance.now()`: the same clock.
 *
 * Run: npm run build -w @sockkit/chat && npm run figures -w @sockkit/chat
 * Writes test-artifacts/figures.json and prints a table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '@sockkit/testing';
import { openChromium } from '@sockkit/testing/chromium';
import type { Page } from 'playwright-core';
import { startChat } from '../src/server/app.js';
import { ChatStore } from '../src/server/store.js';

const SENDS = Number(process.env.SENDS ?? 100);
const HISTORY = 10_000;
const LOADS = 5;

const appRoot = join(import.meta.dirname, '..');
const chromium = findChromium();
if (!chromium) throw new Error('no Chromium');
const dir = mkdtempSync(join(tmpdir(), 'chat-figures-'));
const dbPath = join(dir, 'chat.sqlite');

// 10,000 messages by two people, written before the server starts (synchronous=NORMAL: seeding only).
const seed = new ChatStore(dbPath, { synchronous: 'NORMAL' });
seed.createRoom('general', 'General', 'server');
seed.createRoom('history', 'History', 'server');
for (let i = 0; i < HISTORY; i++) {
  const author = i % 2 ? { user: 'seed-ada', name: 'Ada' } : { user: 'seed-bob', name: 'Bob' };
  seed.send(
    'history',
    author,
    `seed-${i.toString().padStart(8, '0')}`,
    `Message ${i}: some **markdown** and \`code\``,
  );
}
seed.close();

const chat = await startChat({ port: 0, host: '127.0.0.1', dbPath, webRoot: join(appRoot, 'dist/web') });
const base = `http://127.0.0.1:${chat.port}`;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (n: number) => Math.round(n * 10) / 10;

async function person(name: string) {
  const browser = await openChromium(chromium!, `chat-figures-${name}`);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${base}/`);
  await page.getByTestId('name-prompt').locator('input').fill(name);
  await page.getByTestId('name-prompt').locator('button').click();
  await page.locator('[data-testid=room][data-live=true]').waitFor();
  return { browser, page };
}

const ada = await person('Ada');
const bob = await person('Bob');
try {
  // Bob's page notes when each "lat-i" message enters its DOM; Ada's when Enter is pressed.
  await bob.page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { seen: typeof seen }).seen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid=message] .text')) {
        const text = (el.textContent ?? '').trim();
        if (text.startsWith('lat-') && seen[text] === undefined)
          seen[text] = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await ada.page.evaluate(() => {
    const pressed: Record<string, number> = {};
    (window as unknown as { pressed: typeof pressed }).pressed = pressed;
    document.addEventListener(
      'keydown',
      (event) => {
        const target = event.target as HTMLTextAreaElement;
        if (event.key === 'Enter' && target.dataset.testid === 'composer') {
          pressed[target.value.trim()] = performance.timeOrigin + performance.now();
        }
      },
      true,
    );
  });
  const latencies: number[] = [];
  for (let i = 0; i < SENDS; i++) {
    const text = `lat-${i}`;
    await ada.page.getByTestId('composer').fill(text);
    await ada.page.getByTestId('composer').press('Enter');
    await bob.page.waitForFunction(
      (t) => (window as unknown as { seen: Record<string, number> }).seen[t] !== undefined,
      text,
    );
    const sent = await ada.page.evaluate(
      (t) => (window as unknown as { pressed: Record<string, number> }).pressed[t]!,
      text,
    );
    const got = await bob.page.evaluate(
      (t) => (window as unknown as { seen: Record<string, number> }).seen[t]!,
      text,
    );
    latencies.push(got - sent);
  }

  const opens: number[] = [];
  const page: Page = bob.page;
  for (let i = 0; i < LOADS; i++) {
    await page.goto(`${base}/r/history`, { waitUntil: 'commit' });
    // Checked at each animation frame: the first frame that has the 50 newest messages.
    const painted = await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=message]').length >= 50 && performance.now(),
      undefined,
      { polling: 'raf' },
    );
    opens.push((await painted.jsonValue()) as number);
    const last = await page.locator('[data-testid=message] .text').last().innerText();
    if (!last.startsWith(`Message ${HISTORY - 1}:`))
      throw new Error(`the newest message is not shown: ${last}`);
  }

  const figures = {
    measuredAt: new Date().toISOString(),
    loadAverage: loadavg().map(round),
    send: {
      count: SENDS,
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      max: round(Math.max(...latencies)),
    },
    open10k: {
      loads: LOADS,
      p50: round(percentile(opens, 50)),
      min: round(Math.min(...opens)),
      max: round(Math.max(...opens)),
    },
  };
  mkdirSync(join(appRoot, 'test-artifacts'), { recursive: true });
  writeFileSync(join(appRoot, 'test-artifacts/figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await ada.browser.close();
  await bob.browser.close();
  await chat.close();
  rmSync(dir, { recursive: true, force: true });
}
