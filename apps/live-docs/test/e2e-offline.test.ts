/**
 * End to end in Debian's Chromium: edits typed while offline are kept in the browser. They
 * are dropped once the same tab saves them, and when the tab is closed first, the next page
 * of that browser pushes them, merged with what others wrote meanwhile, exactly once.
 */
import { createSockkitClient } from '@sockkit/client/node';
import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import {
  closeBrowser,
  converged,
  editorState,
  fillStorage,
  openBrowser,
  presetIdentity,
  typeAt,
} from './browser.js';
import { chromiumPath, insert, useE2EServer } from './e2e-fixture.js';
import { tokenOf } from './people.js';

const server = useE2EServer();

/** The keys of edits kept in the page's localStorage. */
const keptKeys = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('live-docs:pending:')));

/** How many updates each kept entry holds. */
const keptUpdates = (page: Page) =>
  page.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.startsWith('live-docs:pending:'))
      .map((key) => (JSON.parse(localStorage.getItem(key)!) as { updates: unknown[] }).updates.length),
  );

/** Routes the page's WebSocket so that the test can cut it and refuse new ones. */
async function cuttable(page: Page) {
  let offline = false;
  const sockets = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (offline) return void ws.close({ code: 1001, reason: 'offline' });
    ws.connectToServer();
    sockets.add(ws);
  });
  return {
    async cut() {
      offline = true;
      for (const ws of sockets) await ws.close({ code: 1001, reason: 'offline' });
      sockets.clear();
      await expect
        .poll(() => page.locator('[data-testid=connection]').getAttribute('data-state'))
        .toBe('reconnecting');
    },
    restore() {
      offline = false;
    },
  };
}

describe.skipIf(!chromiumPath)('offline edits in the browser', () => {
  it('keeps them across a closed tab and saves them once, merged, from the next page', async () => {
    const seed = createSockkitClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      contract,
      params: () => ({ token: tokenOf('carol') }),
    });
    const { id } = await seed.call.createDoc({ title: 'Offline' });
    const browser = await openBrowser(chromiumPath!);
    await presetIdentity(browser.context, 'carol', 'Carol');
    try {
      const first = browser.page;
      const link = await cuttable(first);
      await first.goto(`${server.base}/d/${id}`);
      await first.locator('.cm-content').waitFor();
      await typeAt(first, 'end', 'Saved online.\n');
      await converged([first]);

      // Offline edits are kept; once the same tab is back and saves them, they are dropped.
      await link.cut();
      await typeAt(first, 'end', 'Back soon.\n');
      await expect.poll(() => keptKeys(first)).toHaveLength(1);
      link.restore();
      await expect
        .poll(() => first.locator('[data-testid=connection]').getAttribute('data-state'), { timeout: 15_000 })
        .toBe('connected');
      await converged([first]);
      await expect.poll(() => keptKeys(first)).toEqual([]);

      // Offline again, and the tab is closed before the link comes back.
      await link.cut();
      await typeAt(first, 'start', 'Typed offline. ');
      const { unconfirmed } = await editorState(first);
      expect(unconfirmed).toBeGreaterThan(0);
      // Kept at most 500 ms after the last keystroke.
      await expect.poll(() => keptUpdates(first)).toEqual([unconfirmed]);
      await first.close();

      // Someone else writes meanwhile.
      const current = await seed.call.openDoc({ id });
      expect(current.text).toBe('Saved online.\nBack soon.\n');
      await seed.call.pushUpdates({
        id,
        version: current.version,
        updates: [
          {
            clientID: 'seed',
            changes: insert(current.text.length, current.text.length, 'From elsewhere.\n'),
          },
        ],
      });

      // The next page of this browser saves the kept edits before it shows the document.
      const second = await browser.context.newPage();
      await second.goto(`${server.base}/d/${id}`);
      await second.locator('.cm-content').waitFor();
      await expect
        .poll(() => second.locator('[data-testid=restored]').textContent())
        .toMatch(new RegExp(`^\\s*Saved ${unconfirmed} edits? `));
      const expected = 'Typed offline. Saved online.\nBack soon.\nFrom elsewhere.\n';
      expect(await converged([second])).toBe(expected);
      expect((await seed.call.openDoc({ id })).text).toBe(expected);
      expect(await keptKeys(second)).toEqual([]);

      // A third page finds nothing left to replay: nothing is saved twice.
      const third = await browser.context.newPage();
      await third.goto(`${server.base}/d/${id}`);
      await third.locator('.cm-content').waitFor();
      expect(await converged([third])).toBe(expected);
      expect(await third.locator('[data-testid=restored]').count()).toBe(0);
      expect(browser.errors).toEqual([]);
    } finally {
      await seed.close();
      await closeBrowser(browser.context);
    }
  });

  it('says offline as soon as the browser is, and keeps what is typed then (issue 19, bug 4)', async () => {
    const { id } = server.app.store.createDoc('Browser offline', '');
    const browser = await openBrowser(chromiumPath!);
    await presetIdentity(browser.context, 'ivy', 'Ivy');
    try {
      const { page } = browser;
      const badge = () => page.locator('[data-testid=connection]').getAttribute('data-state');
      await page.goto(`${server.base}/d/${id}`);
      await page.locator('.cm-content').waitFor();
      await expect.poll(badge).toBe('connected');
      await typeAt(page, 'end', 'Online. ');
      await converged([page]);

      await browser.context.setOffline(true);
      await expect.poll(badge).toBe('offline');
      await typeAt(page, 'end', 'Typed offline.');
      await expect.poll(() => keptUpdates(page)).toEqual([(await editorState(page)).unconfirmed]);
      await expect
        .poll(() => page.locator('[data-testid=save-state]').textContent())
        .toMatch(/^offline: \d+ changes? kept locally$/);

      await browser.context.setOffline(false);
      await expect.poll(badge, { timeout: 15_000 }).toBe('connected');
      expect(await converged([page])).toBe('Online. Typed offline.');
      expect(server.storedText(id)).toBe('Online. Typed offline.');
      await expect.poll(() => keptKeys(page)).toEqual([]);
      expect(browser.errors).toEqual([]);
    } finally {
      await closeBrowser(browser.context);
    }
  });

  it('drops kept entries it cannot read, and says so when the browser refuses to keep edits', async () => {
    const seed = createSockkitClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      contract,
      params: () => ({ token: tokenOf('dan') }),
    });
    const { id } = await seed.call.createDoc({ title: 'Full storage' });
    await seed.close();
    const browser = await openBrowser(chromiumPath!);
    await presetIdentity(browser.context, 'dan', 'Dan');
    try {
      const page = browser.page;
      const link = await cuttable(page);
      await page.goto(`${server.base}/`);
      // An entry of another version (or anyone's garbage) under this document's prefix.
      await page.evaluate((doc) => localStorage.setItem(`live-docs:pending:${doc}:old`, '{"v":0}'), id);
      await page.goto(`${server.base}/d/${id}`);
      await page.locator('.cm-content').waitFor();
      expect(await keptKeys(page)).toEqual([]);
      expect(await page.locator('[data-testid=restored]').count()).toBe(0);

      // Fill the origin's storage, then type offline: the page says the edits are not kept.
      await fillStorage(page);
      await link.cut();
      await typeAt(page, 'end', 'Nowhere to keep this.');
      await page
        .locator('[data-testid=problem]', { hasText: 'refused to keep your unsaved edits' })
        .waitFor({ timeout: 10_000 });
      expect(await keptKeys(page)).toEqual([]);
      // Back online, the edit is saved all the same.
      link.restore();
      await expect
        .poll(() => page.locator('[data-testid=connection]').getAttribute('data-state'), { timeout: 15_000 })
        .toBe('connected');
      expect(await converged([page])).toBe('Nowhere to keep this.');
      expect(browser.errors).toEqual([]);
    } finally {
      await closeBrowser(browser.context);
    }
  });
});
