import { findChromium } from '@sockkit/testing';
import { openChromium, type TestChromium } from '@sockkit/testing/chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type ChatNode, startChat } from './chat.js';

const executablePath = findChromium();

// Two pages, a server and a browser on 2 cores shared with the other suites: a minute, not seconds.
describe.skipIf(!executablePath)('the chat in Chromium', { timeout: 120_000 }, () => {
  let node: ChatNode;
  let chromium: TestChromium;
  let context: BrowserContext;
  const errors: string[] = [];

  beforeAll(async () => {
    node = await startChat();
    chromium = await openChromium(executablePath!, 'chat-chromium');
    context = chromium.context;
  });

  afterAll(async () => {
    await chromium?.close();
    await node?.child.stop();
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
