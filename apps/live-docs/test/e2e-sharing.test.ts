/**
 * End to end in Debian's Chromium: sharing, history and export as people use them. An owner
 * shares edit and view links; a second browser edits through one, a third views through the
 * other and cannot type, and its forced push is refused on the wire (the database untouched);
 * the owner changes and removes roles and revokes a link while the pages are open. History is
 * browsed with who changed what, and a restore reaches another open page. Exports download
 * as Markdown and as a sanitized HTML page that runs and fetches nothing. The README
 * screenshot (test-artifacts/sharing-history.png) shows the share dialog and the history.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeBrowser,
  converged,
  editorState,
  openBrowser,
  pasteText,
  presetIdentity,
  sideBySide,
  typeAt,
} from './browser.js';
import { artifacts, chromiumPath, useE2EServer } from './e2e-fixture.js';
import { userOf } from './people.js';
import { tapSocket } from './wire-tap.js';

const server = useE2EServer();

/** A browser that is test person `person`, shown as `name`. */
async function personBrowser(person: string, name: string, color: string) {
  const browser = await openBrowser(chromiumPath!);
  await presetIdentity(browser.context, person, name, color);
  return browser;
}

/** Opens the share dialog and creates a link for each role; returns their URLs. */
async function createLinks(page: Page): Promise<{ edit: string; view: string }> {
  await page.locator('[data-testid=share]').click();
  const links: string[] = [];
  for (const role of ['editor', 'viewer']) {
    const row = page.locator(`[data-testid=link-${role}]`);
    await row.getByRole('button', { name: 'Create link' }).click();
    links.push(await row.locator('input').inputValue());
  }
  return { edit: links[0]!, view: links[1]! };
}

const textOf = async (page: Page) => (await editorState(page)).text;

describe.skipIf(!chromiumPath)('sharing, history and export in the browser', () => {
  it('shares by link; a viewer cannot type and their forced push is refused; roles change live', async () => {
    const olive = await personBrowser('olive', 'Olive', '#4363d8');
    const eddie = await personBrowser('eddie', 'Eddie', '#f58231');
    const vera = await personBrowser('vera', 'Vera', '#911eb4');
    try {
      await olive.page.goto(server.base);
      await olive.page.locator('[data-testid=create-form] input[name=title]').fill('Team plan');
      await olive.page.locator('[data-testid=create-form] button[type=submit]').click();
      await olive.page.locator('.cm-content').waitFor();
      const id = olive.page.url().split('/d/')[1]!;
      await typeAt(olive.page, 'end', '# Team plan\n\n');
      const links = await createLinks(olive.page);
      expect(links.edit).toMatch(new RegExp(`/d/${id}#join=`));
      await olive.page.locator('[data-testid=close-share]').click();

      // Without a link nobody gets in. (Vera's socket is recorded from here on.)
      const tap = await tapSocket(vera.page);
      await vera.page.goto(`${server.base}/d/${id}`);
      await expect
        .poll(() => vera.page.locator('[data-testid=no-access]').textContent())
        .toMatch(/share link/);

      // Eddie edits through the edit link; the token leaves the address bar once used.
      await eddie.page.goto(links.edit);
      await eddie.page.locator('.cm-content').waitFor();
      await expect.poll(() => eddie.page.url()).toBe(`${server.base}/d/${id}`);
      await typeAt(eddie.page, 'end', 'Eddie: ship on Friday.\n');
      expect(await converged([olive.page, eddie.page])).toContain('Eddie: ship on Friday.');

      // Vera views through the view link, pasted into the same tab: read-only, yet present.
      await vera.page.goto(links.view);
      await vera.page.locator('.cm-content').waitFor();
      await expect.poll(() => vera.page.locator('[data-testid=view-only]').count()).toBe(1);
      await expect
        .poll(() => olive.page.locator('[data-testid=people] li', { hasText: 'Vera' }).count())
        .toBe(1);
      const before = await textOf(olive.page);
      // Nothing the page sends reaches the server meanwhile, so no refusal could undo a keystroke.
      tap.holdRequests();
      await vera.page.locator('.cm-content').click();
      await vera.page.keyboard.type('Vera was here', { delay: 10 });
      await vera.page.keyboard.press('Enter');
      await pasteText(vera.page, 'pasted by Vera');
      expect(await editorState(vera.page)).toMatchObject({ text: before, unconfirmed: 0 });
      expect(tap.sent.filter((m) => m.p === 'pushUpdates')).toEqual([]);
      tap.releaseRequests();

      // A push forced past the read-only editor is refused on the wire, and said on the page.
      await vera.page.evaluate(() => {
        const debug = (window as unknown as { liveDocs: { view(): import('@codemirror/view').EditorView } })
          .liveDocs;
        debug.view().dispatch({ changes: { from: 0, insert: 'FORCED ' } });
      });
      await expect.poll(() => vera.page.locator('[data-testid=problem]').textContent()).toMatch(/FORBIDDEN/);
      const push = tap.sent.find((m) => m.t === 'call' && m.p === 'pushUpdates');
      expect(push).toBeDefined();
      expect(tap.received.find((m) => m.id === push!.id)).toMatchObject({
        t: 'error',
        e: { code: 'FORBIDDEN' },
      });
      await expect.poll(() => textOf(vera.page)).toBe(before);
      expect(server.storedText(id)).toBe(before);
      expect(await textOf(olive.page)).toBe(before);

      // The owner sees both people; Eddie becomes a viewer, Vera is removed, the edit link revoked.
      await olive.page.locator('[data-testid=share]').click();
      const members = olive.page.locator('[data-testid=member]');
      await expect
        .poll(() => members.allTextContents())
        .toEqual([expect.stringContaining('Eddie'), expect.stringContaining('Vera')]);
      await members.filter({ hasText: 'Eddie' }).locator('select').selectOption('viewer');
      await expect.poll(() => eddie.page.locator('[data-testid=view-only]').count()).toBe(1);
      await typeAt(eddie.page, 'end', 'more from Eddie');
      expect(await textOf(eddie.page)).toBe(before);
      await members.filter({ hasText: 'Vera' }).getByRole('button', { name: 'Remove' }).click();
      await expect.poll(() => vera.page.locator('[data-testid=no-access]').textContent()).toMatch(/removed/);
      await olive.page.locator('[data-testid=link-editor]').getByRole('button', { name: 'Revoke' }).click();
      await expect.poll(() => olive.page.locator('[data-testid=link-editor] input').count()).toBe(0);
      await vera.page.goto(links.edit);
      await expect.poll(() => vera.page.locator('[data-testid=no-access]').textContent()).toMatch(/revoked/);
      expect(server.app.store.access.roleOf(id, userOf('vera'))).toBeNull();
      expect([...olive.errors, ...eddie.errors, ...vera.errors]).toEqual([]);
    } finally {
      await closeBrowser(olive.context);
      await closeBrowser(eddie.context);
      await closeBrowser(vera.context);
    }
  }, 120_000);

  it('browses history with who changed what, and a restore reaches another open page', async () => {
    const olive = await personBrowser('olive', 'Olive', '#4363d8');
    const eddie = await personBrowser('eddie', 'Eddie', '#f58231');
    try {
      const { id } = server.app.store.createDoc('Release notes', '', { owner: userOf('olive') });
      const { token } = { token: server.app.store.access.createLink(id, 'editor') };
      await olive.page.goto(`${server.base}/d/${id}`);
      await olive.page.locator('.cm-content').waitFor();
      await eddie.page.goto(`${server.base}/d/${id}#join=${token}`);
      await eddie.page.locator('.cm-content').waitFor();
      await typeAt(olive.page, 'end', '# Release notes\n\nFaster sync.\n');
      const draft = await converged([olive.page, eddie.page]);
      await typeAt(eddie.page, 'end', 'Share links.\nHistory.\n');
      await converged([olive.page, eddie.page]);

      // Olive browses: the newest entry is Eddie's, and shows what he inserted.
      await olive.page.locator('[data-testid=history-toggle]').click();
      const versions = olive.page.locator('[data-testid=version]');
      await expect.poll(() => versions.first().textContent()).toMatch(/Eddie/);
      expect(await versions.nth(1).textContent()).toMatch(/Olive/);
      expect(await versions.last().textContent()).toMatch(/Olive\s*created the document/);
      const marked = olive.page.locator('[data-testid=version-text] ins');
      await expect.poll(() => marked.allTextContents()).toEqual(['Share links.\nHistory.\n']);

      // The screenshot: Olive's share dialog beside Eddie's history.
      await eddie.page.locator('[data-testid=history-toggle]').click();
      await eddie.page.locator('[data-testid=version]').nth(1).click();
      await expect
        .poll(() => eddie.page.locator('[data-testid=version-text] ins').count())
        .toBeGreaterThan(0);
      await olive.page.locator('[data-testid=share]').click();
      await olive.page
        .locator('[data-testid=link-viewer]')
        .getByRole('button', { name: 'Create link' })
        .click();
      await expect.poll(() => olive.page.locator('[data-testid=member]').count()).toBe(1);
      mkdirSync(artifacts, { recursive: true });
      const shot = await sideBySide(
        await olive.context.newPage(),
        await olive.page.screenshot(),
        await eddie.page.screenshot(),
      );
      writeFileSync(join(artifacts, 'sharing-history.png'), shot);
      await olive.page.locator('[data-testid=close-share]').click();

      // Olive restores her draft (before Eddie's lines); Eddie's open page receives it.
      olive.page.once('dialog', (dialog) => void dialog.accept());
      await versions.nth(1).click();
      await olive.page.locator('[data-testid=restore]').click();
      await expect
        .poll(() => olive.page.locator('[data-testid=restored-version]').textContent())
        .toMatch(/Restored/);
      await expect.poll(() => textOf(eddie.page)).toBe(draft);
      expect(await converged([olive.page, eddie.page])).toBe(draft);
      expect(server.storedText(id)).toBe(draft);
      await expect.poll(() => versions.first().textContent()).toMatch(/Olive\s*restored version/);
      // Eddie's history shows the restore too once refreshed.
      await eddie.page.locator('[data-testid=refresh-history]').click();
      await expect
        .poll(() => eddie.page.locator('[data-testid=version]').first().textContent())
        .toMatch(/restored/);
      expect([...olive.errors, ...eddie.errors]).toEqual([]);
    } finally {
      await closeBrowser(olive.context);
      await closeBrowser(eddie.context);
    }
  }, 120_000);

  it('exports Markdown and a sanitized HTML page that runs and fetches nothing, for a viewer too', async () => {
    const asked: string[] = [];
    const images = createServer((request, response) => {
      asked.push(request.url ?? '');
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    const text = [
      '# Export me',
      'Some *emphasis* and a [link](https://example.com).',
      '<script>window.__xss = "script"</script>',
      '<img src="x" onerror="window.__xss = \'onerror\'">',
      '<a href="javascript:window.__xss = \'href\'">bad link</a>',
      `![remote](${origin}/remote.png)`,
      '<div style="position:fixed;inset:0">overlay</div>',
    ].join('\n\n');
    const { id } = server.app.store.createDoc('Export: me/now', text, { owner: userOf('olive') });
    const token = server.app.store.access.createLink(id, 'viewer');
    const vera = await personBrowser('vera-export', 'Vera', '#911eb4');
    try {
      const { page } = vera;
      await page.goto(`${server.base}/d/${id}#join=${token}`);
      await page.locator('.cm-content').waitFor();
      await expect.poll(() => page.locator('[data-testid=view-only]').count()).toBe(1);

      const save = async (item: string) => {
        await page.locator('[data-testid=export] summary').click();
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator(`[data-testid=${item}]`).click(),
        ]);
        return { name: download.suggestedFilename(), path: (await download.path())! };
      };
      const md = await save('export-md');
      expect(md.name).toBe('Export-me-now.md');
      expect(readFileSync(md.path, 'utf8')).toBe(text);

      const html = await save('export-html');
      expect(html.name).toBe('Export-me-now.html');
      const page2 = readFileSync(html.path, 'utf8');
      expect(page2).toMatch(/^<!doctype html>/);
      expect(page2).toContain('<title>Export: me/now</title>');
      expect(page2).toContain("default-src 'none'");
      expect(page2).toContain('<h1>Export me</h1>');
      expect(page2).toContain('<em>emphasis</em>');
      for (const bad of ['<script', 'onerror', 'javascript:', 'style="', `src="${origin}`])
        expect(page2).not.toContain(bad);
      expect(page2).toContain(`href="${origin}/remote.png"`);

      // Opened from disk, the page runs nothing and fetches nothing.
      const file = join(server.dir, 'exported.html');
      copyFileSync(html.path, file);
      const opened = await vera.context.newPage();
      await opened.goto(`file://${file}`);
      await opened.waitForLoadState('load');
      expect(await opened.locator('h1').textContent()).toBe('Export me');
      await opened
        .locator('img')
        .first()
        .evaluate((img: HTMLImageElement) => img.complete);
      expect(await opened.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
      expect(asked).toEqual([]);
      expect(vera.errors).toEqual([]);
    } finally {
      await closeBrowser(vera.context);
      await new Promise((resolve) => images.close(resolve));
    }
  }, 60_000);

  it('a page beyond the presence limit follows the document without joining presence', async () => {
    // A view link can bring more people than a channel's presence holds: here one.
    const crowded = await server.startOther('crowded', { sockkitLimits: { maxPresenceMembers: 1 } });
    const first = await personBrowser('first', 'First', '#4363d8');
    const second = await personBrowser('second', 'Second', '#f58231');
    try {
      const { id } = crowded.store.createDoc('Popular', 'Read me.', { owner: userOf('first') });
      const token = crowded.store.access.createLink(id, 'viewer');
      const base = `http://127.0.0.1:${crowded.port}`;
      await first.page.goto(`${base}/d/${id}`);
      await first.page.locator('.cm-content').waitFor();
      await expect.poll(() => first.page.locator('[data-testid=people] li').count()).toBe(1);
      await second.page.goto(`${base}/d/${id}#join=${token}`);
      await second.page.locator('.cm-content').waitFor();
      await expect.poll(() => second.page.locator('[data-testid=crowded]').count()).toBe(1);
      // The owner's edits still reach the crowded page live.
      await typeAt(first.page, 'end', ' Now with more.');
      await expect.poll(() => textOf(second.page)).toBe('Read me. Now with more.');
      expect(await first.page.locator('[data-testid=people] li').allTextContents()).toEqual(['First']);
      expect([...first.errors, ...second.errors]).toEqual([]);
    } finally {
      await closeBrowser(first.context);
      await closeBrowser(second.context);
      await crowded.close();
    }
  }, 60_000);
});
