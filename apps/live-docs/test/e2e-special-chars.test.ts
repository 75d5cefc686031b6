/**
 * End to end in Debian's Chromium (issue 19, bug 1): characters CodeMirror draws as a
 * placeholder (zero-width and bidi marks, control characters, U+FEFF, U+2028/2029, …) typed
 * at the bottom of a long document while another browser types at the top, far outside the
 * first one's viewport. Every page, the server and the database file must hold exactly the
 * text that was typed, and no page may throw.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, converged, editorState, openBrowser, pasteText, presetIdentity } from './browser.js';
import { chromiumPath, E2EServer } from './e2e-fixture.js';

const server = new E2EServer();
type Browser = Awaited<ReturnType<typeof openBrowser>>;
let alice: Browser;
let bob: Browser;
beforeAll(async () => {
  if (!chromiumPath) return;
  await server.setup();
  alice = await openBrowser(chromiumPath);
  bob = await openBrowser(chromiumPath);
  await presetIdentity(alice.context, 'alice', 'Alice');
  await presetIdentity(bob.context, 'bob', 'Bob');
}, 120_000);
afterAll(async () => {
  if (alice) await closeBrowser(alice.context);
  if (bob) await closeBrowser(bob.context);
  await server.teardown();
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/**
 * Every character @codemirror/view's `highlightSpecialChars` replaces with a placeholder in
 * Chromium (its `Specials` class), but line feed and carriage return, which split lines.
 */
const DECORATED = [
  ...range(0x00, 0x08), // C0 controls
  0x0b,
  0x0c,
  ...range(0x0e, 0x1f),
  ...range(0x7f, 0x9f), // DEL and C1 controls
  0xad, // soft hyphen
  0x61c, // Arabic letter mark
  0x200b, // zero-width space
  0x200e, // left-to-right mark
  0x200f, // right-to-left mark
  0x2028, // line separator
  0x2029, // paragraph separator
  0x202d, // left-to-right override
  0x202e, // right-to-left override
  0x2066, // left-to-right isolate
  0x2067, // right-to-left isolate
  0x2069, // pop directional isolate
  0xfeff, // zero-width no-break space (BOM)
  ...range(0xfff9, 0xfffc), // interlinear annotation marks, object replacement
].map((code) => String.fromCharCode(code));
/** Drawn as themselves in Chromium (tab size supported), typed as a check all the same. */
const UNDECORATED = ['\u00a0', '\t', '\u200c', '\u200d'];

const hex = (text: string) =>
  [...text].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(' ');

/** Opens document `id` in both browsers; Alice at its end, Bob at its start. */
async function openBoth(id: string): Promise<{ a: Page; b: Page }> {
  const { page: a } = alice;
  const { page: b } = bob;
  await Promise.all([a, b].map((page) => page.goto(`${server.base}/d/${id}`)));
  await Promise.all([a, b].map((page) => page.locator('.cm-content').waitFor()));
  await expect.poll(() => a.locator('[data-testid=people] li').count()).toBe(2);
  return { a, b };
}

/** Moves the page's cursor (and its viewport) to the start or end of the document. */
async function goTo(page: Page, where: 'start' | 'end'): Promise<void> {
  await page.locator('.cm-content').focus();
  await page.keyboard.press(where === 'start' ? 'Control+Home' : 'Control+End');
}

/** Every page, the server and the database file hold `expected`; nothing unconfirmed. */
async function allHold(id: string, pages: Page[], expected: string, what: string): Promise<void> {
  const text = await converged(pages);
  expect(hex(text.slice(-40)), what).toBe(hex(expected.slice(-40)));
  expect(text === expected, `${what}: the pages hold the typed text`).toBe(true);
  expect(server.app.authority.open(id).text === expected, `${what}: the server holds it`).toBe(true);
  expect(server.storedText(id) === expected, `${what}: the database file holds it`).toBe(true);
}

/** Whether Alice's page shows the last character of her editor as CodeMirror's placeholder. */
const placeholders = (page: Page) => page.locator('.cm-content .cm-specialChar').count();

/** Whether the first `line` (1-based) of the document is inside the page's rendered viewport. */
const rendersLine = (page: Page, line: number) =>
  page.evaluate((n) => {
    const view = (
      window as unknown as { liveDocs: { view(): import('@codemirror/view').EditorView } }
    ).liveDocs.view();
    return view.viewport.from <= view.state.doc.line(n).from;
  }, line);

describe.skipIf(!chromiumPath)('special characters while another page edits far away', () => {
  it('the reported case: a zero-width space at the bottom, someone typing at the top', async () => {
    const { id } = server.app.store.createDoc('zwsp');
    const { a, b } = await openBoth(id);
    const lines = `${Array.from({ length: 300 }, (_, i) => `line ${i}`).join('\n')}\n`;
    await a.locator('.cm-content').focus();
    await pasteText(a, lines);
    await goTo(a, 'end');
    await a.keyboard.type('ab', { delay: 15 });
    await a.keyboard.insertText('\u200b');
    await a.keyboard.type('cd', { delay: 15 });
    await allHold(id, [a, b], `${lines}ab\u200bcd`, 'after Alice typed');
    expect(await placeholders(a)).toBe(1);
    expect(await rendersLine(a, 1)).toBe(false); // Bob's edit is outside Alice's viewport

    await goTo(b, 'start');
    await b.keyboard.type('Bob at the top.\n', { delay: 15 });
    await allHold(id, [a, b], `Bob at the top.\n${lines}ab\u200bcd`, "after Bob's edit at the top");

    await goTo(a, 'end');
    await a.keyboard.type('XYZ\nmore', { delay: 15 });
    await allHold(id, [a, b], `Bob at the top.\n${lines}ab\u200bcdXYZ\nmore`, 'after Alice typed again');
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  }, 90_000);

  it('every character CodeMirror draws as a placeholder, typed while the other page edits at the top', async () => {
    const base = `${Array.from({ length: 300 }, (_, i) => `paragraph ${i}`).join('\n')}`;
    const { id } = server.app.store.createDoc('specials', base);
    const { a, b } = await openBoth(id);
    let expected = base;
    let top = '';
    for (const char of [...DECORATED, ...UNDECORATED]) {
      const what = `${hex(char)}`;
      // Alice, at the bottom: a new line holding the character.
      await goTo(a, 'end');
      await a.keyboard.press('Enter');
      await a.keyboard.insertText('a');
      await a.keyboard.insertText(char);
      await a.keyboard.insertText('b');
      expected += `\na${char}b`;
      await allHold(id, [a, b], top + expected, `${what}: typed`);
      if (DECORATED.includes(char)) {
        expect(await placeholders(a), `${what}: drawn as a placeholder`).toBeGreaterThan(0);
      }
      // Bob, at the top and outside Alice's viewport, types a line, one key at a time.
      expect(await rendersLine(a, 1), what).toBe(false);
      await goTo(b, 'start');
      await b.keyboard.type('B\n', { delay: 15 });
      top += 'B\n';
      await allHold(id, [a, b], top + expected, `${what}: after Bob's line`);
      // Alice goes on typing where she was.
      await goTo(a, 'end');
      await a.keyboard.insertText('Z');
      expected += 'Z';
      await allHold(id, [a, b], top + expected, `${what}: typed on`);
      expect([...alice.errors, ...bob.errors], what).toEqual([]);
    }
    expect((await editorState(a)).text).toBe(top + expected);
  }, 300_000);
});
