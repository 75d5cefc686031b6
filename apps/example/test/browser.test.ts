import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findChromium, startNode } from '@sockkit/testing';
import { openChromium, type TestChromium } from '@sockkit/testing/chromium';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

const executablePath = findChromium();
const server = fileURLToPath(new URL('../dist/server.js', import.meta.url));

// Fails when the page imports the contract as a value, even one used only as a type (checked:
// zod's `$ZodType` and `ZodError` are then in the bundle, and it is twice as big gzipped).
it('the page bundle holds no zod: the client and hooks have the contract type only', () => {
  const page = readFileSync(new URL('../dist/web/main.js', import.meta.url), 'utf8');
  expect(page).toContain('params provider failed'); // the sockkit client is in it
  expect(page).toContain('react.dev/errors'); // and React, in its production build
  expect(page).not.toMatch(/\$ZodType|ZodError/);
});

// Two pages, a server and a browser on 2 cores shared with the other suites: a minute, not seconds.
describe.skipIf(!executablePath)('example chat in Chromium', { timeout: 120_000 }, () => {
  let chromium: TestChromium;
  let context: BrowserContext;
  let child: Awaited<ReturnType<typeof startNode>>;
  let url: string;

  beforeAll(async () => {
    child = await startNode([server], /listening on (http:\/\/localhost:\d+)/, { env: { PORT: '0' } });
    url = child.ready[1]!;
    chromium = await openChromium(executablePath!, 'chromium');
    context = chromium.context;
  });

  afterAll(async () => {
    await chromium?.close();
    await child?.stop();
  });

  it('connects, serves a server → client call, chats and shows presence across two pages', async () => {
    const [a, b] = [await context.newPage(), await context.newPage()];
    const errors: string[] = [];
    const consoleLines: string[] = [];
    for (const [label, page] of [
      ['a', a],
      ['b', b],
    ] as const) {
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => consoleLines.push(`${label} ${m.type()}: ${m.text()}`));
    }
    // On failure, say what each page showed: a timeout alone does not tell which step stalled.
    onTestFailed(async () => {
      for (const [label, page] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const shown = await page
          .evaluate(() =>
            ['state', 'greeting', 'people', 'log'].map(
              (id) => `${id}=${document.getElementById(id)?.textContent}`,
            ),
          )
          .catch((e: Error) => [`unreadable: ${e.message}`]);
        console.error(`page ${label}: ${shown.join(' | ')}`);
      }
      console.error(['page errors:', ...errors, 'console:', ...consoleLines].join('\n'));
    });
    await a.goto(url);
    await b.goto(url);
    for (const page of [a, b]) {
      await page.waitForSelector('#state[data-state="open"]');
      await expect
        .poll(() => page.textContent('#greeting'))
        // A time, not the server's 'unknown': the page answered its localTime call.
        .toMatch(/^Hello guest-\w+, your page says it is \d{1,2}:\d{2}:\d{2}.* \(\d online\)$/);
    }
    for (const page of [a, b]) {
      await expect.poll(() => page.textContent('#people')).toMatch(/^guest-\w+, guest-\w+$/);
    }
    await a.fill('#text', 'hello from a');
    await a.click('button');
    for (const page of [a, b]) {
      await expect
        .poll(() => page.textContent('#log'))
        .toMatch(/\d{1,2}:\d{2}:\d{2}.*guest-\w+: hello from a/);
    }
    expect(await a.inputValue('#text')).toBe(''); // cleared once the server confirmed the publish
    expect(errors).toEqual([]);
  });
});
