/**
 * Browser helpers for the end-to-end suite: the web app built once into a temp directory,
 * Debian's Chromium through playwright-core (never downloaded), pages driven like a person.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs } from '@sockkit/testing';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { tokenOf } from './people.js';

const appDir = join(import.meta.dirname, '..');

/** Builds the web app into a fresh directory and returns it. */
export async function buildWeb(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'live-docs-web-'));
  const { build } = await import('vite');
  await build({
    configFile: join(appDir, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** A browser of its own (separate profile, storage and cookies), like a second person. */
export async function openBrowser(executablePath: string, options: { bypassCSP?: boolean } = {}) {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'live-docs-chromium-')), {
    executablePath,
    args: chromiumArgs,
    viewport: { width: 1100, height: 640 },
    ...options,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Answers the first-visit name prompt. */
export async function enterName(page: Page, name: string, swatch = 0): Promise<void> {
  await page.locator('[data-testid=name-prompt] input[name=name]').fill(name);
  await page.locator('[data-testid=name-prompt] .swatch').nth(swatch).click();
  await page.locator('[data-testid=name-prompt] button[type=submit]').click();
}

/** What the page's editor holds, and whether everything is confirmed. */
export async function editorState(
  page: Page,
): Promise<{ text: string; unconfirmed: number; version: number }> {
  return page.evaluate(() => {
    const debug = (window as unknown as { liveDocs?: Record<string, () => unknown> }).liveDocs;
    return {
      text: String(debug?.text?.() ?? ''),
      unconfirmed: Number(debug?.unconfirmed?.() ?? -1),
      version: Number(debug?.version?.() ?? -1),
    };
  });
}

/**
 * Waits until every page shows the same, fully confirmed text that `until` accepts; returns
 * it. Pass `until` when the awaited change comes from outside the pages: they agree on the
 * text before it as well.
 */
export async function converged(
  pages: Page[],
  { until = () => true, limitMs = 30_000 }: { until?: (text: string) => boolean; limitMs?: number } = {},
): Promise<string> {
  const deadline = Date.now() + limitMs;
  let last: { text: string; unconfirmed: number }[] = [];
  while (Date.now() < deadline) {
    last = await Promise.all(pages.map(editorState));
    const text = last[0]!.text;
    if (last.every((s) => s.unconfirmed === 0 && s.text === text) && until(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pages did not converge: ${JSON.stringify(last)}`);
}

/** Closes a browser context, ignoring one already gone. */
export async function closeBrowser(context: BrowserContext): Promise<void> {
  await context.close().catch(() => {});
}

/** Types `text` at the start or end of the page's editor, like a person. */
export async function typeAt(page: Page, where: 'start' | 'end', text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press(where === 'start' ? 'Control+Home' : 'Control+End');
  await page.keyboard.type(text, { delay: 15 });
}

/** Pastes `text` into the page's editor as a clipboard paste would. */
export async function pasteText(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').evaluate((el, t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Fills the page origin's localStorage until not even one more character fits. */
export async function fillStorage(page: Page): Promise<void> {
  await page.evaluate(() => {
    // Halving chunks until not even one character fits.
    let i = 0;
    for (let size = 256 * 1024; size >= 1; ) {
      try {
        localStorage.setItem(`filler:${i++}`, 'x'.repeat(size));
      } catch {
        size = Math.floor(size / 2);
      }
    }
  });
}

/** Whether two pages render the same preview. */
export async function samePreview(a: Page, b: Page): Promise<boolean> {
  const [left, right] = await Promise.all([a, b].map((p) => p.locator('[data-testid=preview]').innerHTML()));
  return left === right;
}

/** Two screenshots side by side, rendered by `scratch` (a page it may navigate). */
export async function sideBySide(scratch: Page, left: Buffer, right: Buffer): Promise<Buffer> {
  const img = (png: Buffer) =>
    `<img src="data:image/png;base64,${png.toString('base64')}" style="width:50%">`;
  await scratch.goto('about:blank');
  await scratch.setContent(
    `<body style="margin:0;display:flex;background:#888;gap:4px">${img(left)}${img(right)}</body>`,
  );
  return scratch.screenshot({ fullPage: true });
}

/**
 * Stores the identity of test person `person` (their token, see `people.ts`) with display
 * name `name` and a colour, so the browser's pages skip the name prompt and are that person.
 */
export async function presetIdentity(
  context: BrowserContext,
  person: string,
  name: string,
  color = '#3cb44b',
): Promise<void> {
  await context.addInitScript(
    ([t, n, c]) =>
      localStorage.setItem('live-docs:identity', JSON.stringify({ token: t, name: n, color: c })),
    [tokenOf(person), name, color] as const,
  );
}
