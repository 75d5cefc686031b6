/**
 * End to end in Debian's Chromium: two people in two browsers edit one document at the same
 * time and see identical text and preview; a third party's update reaches both; one browser
 * is cut off (its WebSocket routed away) while typing and merges on return; the server
 * restarts under both. A screenshot of the session lands in test-artifacts/two-browsers.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSockkitClient } from '@sockkit/client/node';
import type { WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { contract } from '../src/contract.js';
import {
  closeBrowser,
  converged,
  editorState,
  enterName,
  openBrowser,
  samePreview,
  sideBySide,
  typeAt,
} from './browser.js';
import { artifacts, chromiumPath, insert, useE2EServer } from './e2e-fixture.js';
import { tokenOf } from './people.js';

const server = useE2EServer();

const SECTION = [
  '',
  '## Checklist',
  '',
  '- [x] open the same document in two browsers',
  '- [x] type at the same time',
  '- [ ] go offline and come back',
  '',
  '```ts',
  'client.call.pushUpdates({ id, version, updates });',
  '```',
  '',
].join('\n');

describe.skipIf(!chromiumPath)('live-docs in the browser', () => {
  it('two browsers edit at once, survive offline and a restart, and converge', async () => {
    const alice = await openBrowser(chromiumPath!);
    const bob = await openBrowser(chromiumPath!);
    try {
      // Alice: name prompt, a new document, the editor.
      await alice.page.goto(server.base);
      await enterName(alice.page, 'Alice', 0);
      await alice.page.locator('[data-testid=create-form] input[name=title]').fill('Shared notes');
      await alice.page.locator('[data-testid=create-form] button[type=submit]').click();
      await alice.page.waitForURL(/\/d\/[A-Za-z0-9_-]+$/);
      await alice.page.locator('.cm-content').waitFor();
      const docUrl = alice.page.url();
      // Alice shares an edit link.
      await alice.page.locator('[data-testid=share]').click();
      await alice.page.locator('[data-testid=link-editor] button', { hasText: 'Create link' }).click();
      const shareUrl = await alice.page.locator('[data-testid=link-editor] input').inputValue();
      expect(shareUrl).toMatch(/\/d\/[A-Za-z0-9_-]+#join=[A-Za-z0-9_-]+$/);
      await alice.page.locator('[data-testid=close-share]').click();

      // Bob opens the share link in another browser; his socket can be cut on demand.
      let bobOffline = false;
      const bobSockets = new Set<WebSocketRoute>();
      await bob.page.routeWebSocket(/\/ws$/, (ws) => {
        if (bobOffline) {
          void ws.close({ code: 1001, reason: 'offline' });
          return;
        }
        ws.connectToServer();
        bobSockets.add(ws);
      });
      await bob.page.goto(shareUrl);
      await enterName(bob.page, 'Bob', 2);
      await bob.page.locator('.cm-content').waitFor();
      await expect.poll(() => bob.page.locator('[data-testid=people] li').count()).toBe(2);
      await expect.poll(() => alice.page.locator('[data-testid=people] li').count()).toBe(2);

      // Alice starts the text, then both type at the same time in different places.
      await typeAt(alice.page, 'end', '# Shared notes\n\n');
      await converged([alice.page, bob.page]);
      await Promise.all([
        typeAt(alice.page, 'end', 'Alice writes *here*.\n'),
        typeAt(bob.page, 'start', 'Bob was here first.\n\n'),
      ]);
      const text = await converged([alice.page, bob.page]);
      expect(text).toContain('Alice writes *here*.');
      expect(text).toContain('Bob was here first.\n\n# Shared notes');
      await expect.poll(() => samePreview(alice.page, bob.page)).toBe(true);
      expect(await alice.page.locator('[data-testid=preview] em').first().textContent()).toBe('here');
      // Each sees the other's cursor.
      await expect.poll(() => alice.page.locator('.cm-remote-label', { hasText: 'Bob' }).count()).toBe(1);
      await expect.poll(() => bob.page.locator('.cm-remote-label', { hasText: 'Alice' }).count()).toBe(1);

      // A third party (a Node client) adds a section; both browsers show it.
      const docId = docUrl.split('/d/')[1]!;
      const writer = createSockkitClient({
        url: `ws://127.0.0.1:${server.port}/ws`,
        contract,
        params: () => ({ token: tokenOf('bot') }),
      });
      await writer.call.joinDoc({ id: docId, token: shareUrl.split('#join=')[1]! });
      const current = await writer.call.openDoc({ id: docId });
      await writer.call.pushUpdates({
        id: docId,
        version: current.version,
        updates: [{ clientID: 'bot', changes: insert(current.text.length, current.text.length, SECTION) }],
      });
      await writer.close();
      // The pages agree before the section reaches them too: wait for it.
      const withSection = await converged([alice.page, bob.page], {
        until: (t) => t.includes('## Checklist'),
      });
      expect(withSection.endsWith(SECTION)).toBe(true);
      await alice.page.locator('.cm-content').click();
      await alice.page.keyboard.press('Control+Home');
      await alice.page.keyboard.press('Shift+End');
      await expect.poll(() => bob.page.locator('[data-testid=preview] li').count()).toBe(3);

      mkdirSync(artifacts, { recursive: true });
      const shot = await sideBySide(
        await alice.context.newPage(),
        await alice.page.screenshot(),
        await bob.page.screenshot(),
      );
      writeFileSync(join(artifacts, 'two-browsers.png'), shot);

      // Bob goes offline and keeps typing while Alice types too.
      bobOffline = true;
      for (const ws of bobSockets) await ws.close({ code: 1001, reason: 'offline' });
      bobSockets.clear();
      await expect
        .poll(() => bob.page.locator('[data-testid=connection]').getAttribute('data-state'))
        .toBe('reconnecting');
      await typeAt(bob.page, 'end', 'Typed offline by Bob.\n');
      await expect
        .poll(() => bob.page.locator('[data-testid=save-state]').textContent())
        .toMatch(/kept locally/);
      await typeAt(alice.page, 'start', 'Alice online. ');
      expect((await editorState(bob.page)).unconfirmed).toBeGreaterThan(0);
      bobOffline = false;
      await expect
        .poll(() => bob.page.locator('[data-testid=connection]').getAttribute('data-state'), {
          timeout: 15_000,
        })
        .toBe('connected');
      const merged = await converged([alice.page, bob.page]);
      expect(merged).toContain('Typed offline by Bob.');
      expect(merged).toContain('Alice online. ');

      // The server restarts (new broker epoch): both keep typing through it and converge.
      await server.app.close();
      await expect
        .poll(() => alice.page.locator('[data-testid=connection]').getAttribute('data-state'))
        .toBe('reconnecting');
      await Promise.all([
        typeAt(alice.page, 'end', 'During restart A.\n'),
        typeAt(bob.page, 'end', 'During restart B.\n'),
      ]);
      const app = await server.start();
      const afterRestart = await converged([alice.page, bob.page]);
      expect(afterRestart).toContain('During restart A.');
      expect(afterRestart).toContain('During restart B.');
      expect(app.authority.open(docId).text).toBe(afterRestart);
      await expect.poll(() => samePreview(alice.page, bob.page)).toBe(true);
      expect([...alice.errors, ...bob.errors]).toEqual([]);
    } finally {
      await closeBrowser(alice.context);
      await closeBrowser(bob.context);
    }
  }, 120_000);
});
