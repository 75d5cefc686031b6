/**
 * End to end in Debian's Chromium (issue 19, bugs 2 and 5): the document page keeps its
 * shape whatever the text. A long unbroken word in the preview cannot squeeze the editor
 * column, and a long document scrolls inside the editor and the preview, never the page, so
 * the top bar, the people and the save state stay in view.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, openBrowser, presetIdentity } from './browser.js';
import { chromiumPath, E2EServer } from './e2e-fixture.js';

const server = new E2EServer();
type Browser = Awaited<ReturnType<typeof openBrowser>>;
let browser: Browser;
const warnings: string[] = [];
beforeAll(async () => {
  if (!chromiumPath) return;
  await server.setup();
  browser = await openBrowser(chromiumPath);
  await presetIdentity(browser.context, 'hana', 'Hana');
  browser.page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') warnings.push(message.text());
  });
}, 120_000);
afterAll(async () => {
  if (browser) await closeBrowser(browser.context);
  await server.teardown();
});

const box = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())!;

async function open(text: string): Promise<Page> {
  const { id } = server.app.store.createDoc('layout', text);
  const { page } = browser;
  await page.goto(`${server.base}/d/${id}`);
  await page.locator('.cm-content').waitFor();
  await expect.poll(() => page.locator('[data-testid=preview]').textContent()).not.toBe('');
  return page;
}

describe.skipIf(!chromiumPath)('the document page layout', () => {
  it('keeps the editor column when the preview holds a long unbroken word', async () => {
    const page = await open(`See https://example.com/${'a'.repeat(120)}\n\nand more text.`);
    const viewport = page.viewportSize()!;
    const editor = await box(page, '[data-testid=editor]');
    const preview = await box(page, '.preview-pane');
    expect(editor.width, 'editor column width').toBeGreaterThan(viewport.width * 0.4);
    expect(preview.width, 'preview column width').toBeLessThanOrEqual(viewport.width * 0.6);
    // The word wraps inside the preview rather than running out of it.
    const overflow = await page
      .locator('[data-testid=preview]')
      .evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(browser.errors).toEqual([]);
  });

  it('scrolls a long document inside the editor, never the page', async () => {
    const text = Array.from(
      { length: 3000 },
      (_, i) => `Line ${i} of a long document, long enough to wrap ${'word '.repeat(i % 30)}`,
    ).join('\n');
    warnings.length = 0;
    const page = await open(text);
    const viewport = page.viewportSize()!;
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.mouse.move(viewport.width / 4, viewport.height / 2);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 2000);
    await page.keyboard.type('end');
    // The editor scrolled (its last line is on screen) ...
    await expect.poll(() => page.locator('.cm-line', { hasText: 'Line 2999' }).isVisible()).toBe(true);
    // ... and the page did not: the bars are where they were, inside the window.
    const scroll = await page.evaluate(() => ({
      top: document.scrollingElement!.scrollTop,
      overflow: document.scrollingElement!.scrollHeight - window.innerHeight,
    }));
    expect(scroll).toEqual({ top: 0, overflow: 0 });
    for (const selector of ['.topbar', '[data-testid=people]', '[data-testid=save-state]']) {
      const shown = await box(page, selector);
      expect(shown.y, selector).toBeGreaterThanOrEqual(0);
      expect(shown.y + shown.height, selector).toBeLessThanOrEqual(viewport.height);
    }
    const editor = await box(page, '[data-testid=editor]');
    expect(editor.y + editor.height).toBeLessThanOrEqual(viewport.height + 1);
    expect(warnings.filter((w) => w.includes('Viewport failed to stabilize'))).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
