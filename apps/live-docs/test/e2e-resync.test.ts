/**
 * End to end in Debian's Chromium (issue 19, bug 1, the page's side): when applying an update
 * from the server throws, the page rebuilds its editor from the server, keeps its unsaved
 * edits, and says so, instead of carrying on diverged; and "all changes saved" shows only
 * once the server confirmed the page's last edit, even when the server is slow to answer.
 */
import { createSockkitClient } from '@sockkit/client/node';
import type { Page } from 'playwright-core';
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
import { tapSocket } from './wire-tap.js';

const server = useE2EServer();

const saveState = (page: Page) => page.locator('[data-testid=save-state]').textContent();

/** Records every text the save state shows, with how many edits were unconfirmed then. */
const recordSaveStates = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as {
      saveStates: { label: string; unconfirmed: number }[];
      liveDocs: { unconfirmed(): number | undefined };
    };
    w.saveStates = [];
    const element = document.querySelector('[data-testid=save-state]')!;
    const record = () =>
      w.saveStates.push({ label: element.textContent ?? '', unconfirmed: w.liveDocs.unconfirmed() ?? 0 });
    record();
    new MutationObserver(record).observe(element, { childList: true, characterData: true, subtree: true });
  });
const recordedSaveStates = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { saveStates: { label: string; unconfirmed: number }[] }).saveStates,
  );

describe.skipIf(!chromiumPath)('a page out of step with the server', () => {
  it('rebuilds from the server when an update cannot be applied, keeping its unsaved edit', async () => {
    const seed = createSockkitClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      contract,
      params: () => ({ token: tokenOf('erin') }),
    });
    const browser = await openBrowser(chromiumPath!);
    await presetIdentity(browser.context, 'erin', 'Erin');
    try {
      const { id } = await seed.call.createDoc({ title: 'Resync' });
      const page = browser.page;
      const tap = await tapSocket(page);
      await page.goto(`${server.base}/d/${id}`);
      await page.locator('.cm-content').waitFor();
      await typeAt(page, 'end', 'Saved first.\n');
      await converged([page]);

      // An edit the server has not seen: what the page sends is held.
      tap.holdRequests();
      await typeAt(page, 'end', 'Not saved yet.');
      expect((await editorState(page)).unconfirmed).toBeGreaterThan(0);

      // Someone else writes; the page receives that update corrupted (it keeps more characters
      // than the document has), so applying it throws.
      tap.corruptNextUpdate((data) => {
        for (const update of data.updates) update.changes = [1_000_000, [0, '!']];
      });
      const current = await seed.call.openDoc({ id });
      await seed.call.pushUpdates({
        id,
        version: current.version,
        updates: [{ clientID: 'seed', changes: insert(current.text.length, 0, 'From the seed. ') }],
      });
      await page
        .locator('[data-testid=resynced]', { hasText: 'went out of step with the server (RangeError' })
        .waitFor();

      // The rebuilt page replays its unsaved edit (the old push, held, is refused as stale).
      tap.releaseRequests();
      const expected = 'From the seed. Saved first.\nNot saved yet.';
      await expect.poll(async () => (await editorState(page)).text).toBe(expected);
      expect(await converged([page])).toBe(expected);
      expect(server.app.authority.open(id).text).toBe(expected);
      expect(server.storedText(id)).toBe(expected);
      await expect.poll(() => saveState(page)).toBe('all changes saved');

      // And it goes on working.
      await typeAt(page, 'end', ' More.');
      expect(await converged([page])).toBe(`${expected} More.`);
      expect(server.storedText(id)).toBe(`${expected} More.`);
      expect(browser.errors).toEqual([]);
    } finally {
      await seed.close();
      await closeBrowser(browser.context);
    }
  }, 60_000);

  it('rebuilds when the editor throws while drawing an update, remote or local', async () => {
    const { id } = server.app.store.createDoc('Throwing view', 'Text.');
    const seed = createSockkitClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      contract,
      params: () => ({ token: tokenOf('gus') }),
    });
    const browser = await openBrowser(chromiumPath!);
    await presetIdentity(browser.context, 'gus', 'Gus');
    try {
      const page = browser.page;
      await page.goto(`${server.base}/d/${id}`);
      await page.locator('.cm-content').waitFor();
      const notice = page.locator('[data-testid=resynced]', { hasText: 'RangeError: drawing failed' });

      // The next redraw of a changed text throws, as the placeholders replacing a line break
      // did (issue 19).
      const throwOnNextDraw = () =>
        page.evaluate(() => {
          // EditorView's internal content view: a test-only hook into CodeMirror's drawing.
          type DocView = { update(update: { docChanged: boolean }): unknown };
          const view = (window as unknown as { liveDocs: { view(): { docView?: DocView } } }).liveDocs.view();
          const docView = view.docView;
          if (typeof docView?.update !== 'function') throw new Error('CodeMirror internals changed');
          const update = docView.update;
          docView.update = (viewUpdate) => {
            if (!viewUpdate.docChanged) return update.call(docView, viewUpdate);
            docView.update = update;
            throw new RangeError('drawing failed');
          };
        });

      await throwOnNextDraw();
      await seed.call.pushUpdates({
        id,
        version: 0,
        updates: [{ clientID: 'seed', changes: insert(5, 0, 'Remote. ') }],
      });
      await notice.waitFor();
      expect(await converged([page])).toBe('Remote. Text.');
      await notice.getByRole('button', { name: 'dismiss' }).click();

      // A local edit whose drawing throws, with a browser that will not keep it: it is carried
      // in memory into the rebuilt editor.
      await typeAt(page, 'end', ' A');
      await converged([page]);
      await fillStorage(page);
      await throwOnNextDraw();
      await page.keyboard.type('B');
      await notice.waitFor();
      await expect.poll(() => saveState(page)).toBe('all changes saved');
      expect(await converged([page])).toBe('Remote. Text. AB');
      expect(server.storedText(id)).toBe('Remote. Text. AB');
      expect(browser.errors).toEqual([]);
    } finally {
      await seed.close();
      await closeBrowser(browser.context);
    }
  }, 60_000);

  it('says "all changes saved" only once the server confirmed the last edit', async () => {
    const { id } = server.app.store.createDoc('Slow server', 'Start.');
    const browser = await openBrowser(chromiumPath!);
    await presetIdentity(browser.context, 'finn', 'Finn');
    try {
      const page = browser.page;
      const tap = await tapSocket(page);
      // The server answers the page's first pull (right after it opened the document) late.
      tap.holdAnswersFrom('pullUpdates');
      await page.goto(`${server.base}/d/${id}`);
      await page.locator('.cm-content').waitFor();
      await expect.poll(() => tap.holdingAnswers).toBe(true);
      await recordSaveStates(page);

      await typeAt(page, 'end', ' Typed while the pull is out.');
      await expect.poll(() => saveState(page)).toBe('saving…');

      // The pull's answer arrives; the push goes out, and its confirmation is held.
      tap.holdAnswersFrom('pushUpdates');
      tap.releaseAnswers();
      await expect.poll(() => tap.calls('pushUpdates')).toBe(1);
      const typed = 'Start. Typed while the pull is out.';
      await expect.poll(() => server.app.authority.open(id).text).toBe(typed);
      expect(await saveState(page)).toBe('saving…'); // stored, but the page has not heard yet
      expect((await editorState(page)).unconfirmed).toBeGreaterThan(0);

      tap.releaseAnswers();
      await expect.poll(() => saveState(page)).toBe('all changes saved');
      expect(await editorState(page)).toMatchObject({ text: typed, unconfirmed: 0 });
      const shown = await recordedSaveStates(page);
      expect(shown.filter((s) => s.label === 'all changes saved' && s.unconfirmed > 0)).toEqual([]);
      expect(shown.map((s) => s.label)).toContain('saving…');
      expect(browser.errors).toEqual([]);
    } finally {
      await closeBrowser(browser.context);
    }
  }, 60_000);
});
