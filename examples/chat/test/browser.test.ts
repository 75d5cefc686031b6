/**
 * The guide's chat in headless Chromium, as people use it: log in, see who is here and who is
 * typing, chat, find the history on joining, and an admin kicking someone, whose page says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, findChromium } from '@sockkit/testing';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type ChatNode, startChat } from './chat.js';

const executablePath = findChromium();

describe.skipIf(!executablePath)('the chat in Chromium', () => {
  let node: ChatNode;
  let context: BrowserContext;
  const profile = mkdtempSync(join(tmpdir(), 'sockkit-chat-chromium-'));
  const errors: string[] = [];

  beforeAll(async () => {
    node = await startChat();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executablePath!,
      args: chromiumArgs,
      headless: true,
    });
  });

  afterAll(async () => {
    await context?.close();
    await node?.child.stop();
    rmSync(profile, { recursive: true, force: true });
  });

  async function enter(name: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
    await page.goto(`${node.url}/#lobby`);
    await page.fill('input', name);
    await page.click('button');
    await expect.poll(() => page.textContent('.people')).toContain(name);
    return page;
  }

  it('logs in, shows presence and typing, chats, replays history, and kicks', async () => {
    const pages: [string, Page][] = [];
    onTestFailed(async () => {
      for (const [name, page] of pages) console.error(name, await page.textContent('body').catch(String));
      console.error(errors.join('\n'), node.child.output());
    });
    const admin = await enter('admin');
    const bob = await enter('bob');
    pages.push(['admin', admin], ['bob', bob]);
    await expect.poll(() => admin.textContent('.people')).toMatch(/admin.*bob/s);

    await bob.fill('form input', 'hello from bob');
    await expect.poll(() => admin.textContent('.typing')).toBe('bob typing…');
    await bob.click('form button');
    await expect.poll(() => admin.textContent('.log')).toContain('bob: hello from bob');
    await expect.poll(() => admin.textContent('.typing')).toBe('');

    const carol = await enter('carol');
    pages.push(['carol', carol]);
    await expect.poll(() => carol.textContent('.log')).toContain('bob: hello from bob');

    await admin.click('.people span:has-text("bob") button');
    await expect.poll(() => bob.textContent('.ended')).toBe('Disconnected: kicked by admin: be nice');
    await expect.poll(() => admin.textContent('.people')).not.toContain('bob');
    expect(errors).toEqual([]);
  });
});
