/**
 * Two people in Chromium on a chat server running as its own process: send, edit, delete,
 * typing shown, an unread count, a hostile message rendered harmlessly, a message sent while
 * the link is down delivered exactly once, and the server killed with SIGKILL and restarted
 * with nothing confirmed lost. Writes test-artifacts/two-people.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProxy, type TcpProxy } from '@sockkit/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumPath, type Person, personAt, send, shownTexts } from './browser.js';
import { connectAs, tempDir } from './people.js';
import { type ChatProcess, spawnChat } from './spawn.js';

const artifacts = join(import.meta.dirname, '../test-artifacts');

// Each test is bounded by its own waits; the crash test's alone may take a server start (30 s
// under CI load), a reconnect backoff (up to 10 s) and its 30 s poll.
describe.skipIf(!chromiumPath)('two people in Chromium', { timeout: 120_000 }, () => {
  const dbPath = join(tempDir('e2e'), 'chat.sqlite');
  let server: ChatProcess;
  let proxy: TcpProxy;
  let ada: Person;
  let bob: Person;

  beforeAll(async () => {
    server = await spawnChat(dbPath);
    // Ada reaches the server through a proxy the test can cut; Bob directly.
    proxy = await startProxy(server.port);
    ada = await personAt('Ada', `http://127.0.0.1:${proxy.port}/`);
    bob = await personAt('Bob', `${server.url}/`);
  }, 90_000);

  afterAll(async () => {
    await ada?.browser.close();
    await bob?.browser.close();
    await proxy?.close();
    await server?.child.stop('SIGTERM');
  });

  const stored = async (text: string) => {
    const reader = connectAs(server.url, 'reader');
    const { messages } = await reader.call.history({ room: 'general', limit: 100 });
    reader.close();
    return messages.filter((m) => m.text === text && !m.deleted).length;
  };

  it('sends, shows typing, edits and deletes between two pages', async () => {
    onTestFailed(() => console.error('page errors', ada.errors, bob.errors));
    await ada.page.getByTestId('composer').fill('I am typ');
    await expect.poll(() => bob.page.getByTestId('typing').innerText()).toBe('Ada is typing…');
    await ada.page.getByTestId('composer').fill('');
    await send(ada.page, 'Hello **Bob**, see `code`');
    await expect.poll(() => shownTexts(bob.page)).toEqual(['Hello Bob, see code']);
    expect(await bob.page.locator('[data-testid=message] .text strong').innerText()).toBe('Bob');
    await expect.poll(() => bob.page.getByTestId('typing').innerText()).toBe('');

    await send(bob.page, 'Hi Ada');
    await expect.poll(() => shownTexts(ada.page)).toEqual(['Hello Bob, see code', 'Hi Ada']);
    // Bob has no edit or delete on Ada's message.
    expect(await bob.page.locator('[data-testid=message]').first().getByTestId('edit').count()).toBe(0);

    const first = ada.page.locator('[data-testid=message]').first();
    await first.hover();
    await first.getByTestId('edit').click();
    await first.getByTestId('edit-text').fill('Hello again, Bob');
    await first.getByTestId('edit-text').press('Enter');
    await expect.poll(() => shownTexts(bob.page)).toEqual(['Hello again, Bob', 'Hi Ada']);
    expect(await bob.page.locator('[data-testid=message]').first().locator('.edited').count()).toBe(1);

    const mine = bob.page.locator('[data-testid=message]').nth(1);
    await mine.hover();
    await mine.getByTestId('remove').click();
    await expect.poll(() => shownTexts(ada.page)).toEqual(['Hello again, Bob']);
    expect(ada.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('renders a hostile message harmlessly', async () => {
    await send(
      ada.page,
      '<img src=x onerror="window.__xss=1"> [link](javascript:window.__xss=2) <script>window.__xss=3</script>',
    );
    await expect.poll(() => bob.page.locator('[data-testid=message]').count()).toBe(2);
    const last = bob.page.locator('[data-testid=message] .text').last();
    expect(await last.locator('img, script').count()).toBe(0);
    expect(await last.innerText()).toContain('<img src=x');
    expect(await last.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await bob.page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('counts unread messages in a room the other person is not in', async () => {
    await bob.page.getByTestId('new-room').fill('Side Room');
    await bob.page.getByTestId('new-room').press('Enter');
    await bob.page.locator('[data-testid=room][data-room=side-room][data-live=true]').waitFor();
    await ada.page.getByTestId('room-side-room').waitFor();
    for (const text of ['one', 'two', 'three']) await send(bob.page, text);
    await expect.poll(() => ada.page.getByTestId('unread-side-room').innerText()).toBe('3');
    await ada.page.getByTestId('room-side-room').click();
    await expect.poll(() => shownTexts(ada.page)).toEqual(['one', 'two', 'three']);
    await expect.poll(() => ada.page.getByTestId('unread-side-room').count()).toBe(0);
    // Read on the server too: a reload shows no count (read once the page is live again).
    await ada.page.getByTestId('room-general').click();
    await ada.page.reload();
    await ada.page.getByTestId('room-side-room').waitFor();
    await ada.page.locator('[data-testid=room][data-room=general][data-live=true]').waitFor();
    expect(await ada.page.getByTestId('unread-side-room').count()).toBe(0);
    // Joining by link: Bob's address opens the room for Ada.
    await ada.page.goto(`http://127.0.0.1:${proxy.port}/r/side-room`);
    await expect.poll(() => shownTexts(ada.page)).toEqual(['one', 'two', 'three']);
    await ada.page.getByTestId('room-general').click();
    await bob.page.getByTestId('room-general').click();
    await ada.page.locator('[data-testid=room][data-room=general][data-live=true]').waitFor();
    await bob.page.locator('[data-testid=room][data-room=general][data-live=true]').waitFor();
  });

  it('keeps a message written while the link is down and delivers it exactly once', async () => {
    proxy.refuse(); // cuts Ada's socket and refuses her reconnects
    await expect
      .poll(() => ada.page.getByTestId('connection').getAttribute('data-state'))
      .not.toBe('connected');
    await send(ada.page, 'written offline');
    await expect.poll(() => ada.page.getByTestId('waiting').innerText()).toContain('1 message waiting');
    expect(await ada.page.getByTestId('pending').innerText()).toContain('written offline');
    expect(await ada.page.evaluate(() => localStorage.getItem('chat:outbox'))).toContain('written offline');
    proxy.accept();
    await expect.poll(() => shownTexts(bob.page)).toContain('written offline');
    await expect.poll(() => ada.page.getByTestId('pending').count()).toBe(0);
    expect((await shownTexts(bob.page)).filter((t) => t === 'written offline')).toHaveLength(1);
    expect((await shownTexts(ada.page)).filter((t) => t === 'written offline')).toHaveLength(1);
    expect(await stored('written offline')).toBe(1);
    expect(await ada.page.evaluate(() => localStorage.getItem('chat:outbox'))).toBeNull();
  });

  it('loses nothing confirmed when the server is killed with SIGKILL and restarted', async () => {
    for (let i = 0; i < 5; i++) await send(bob.page, `before the crash ${i}`);
    await expect.poll(() => bob.page.getByTestId('pending').count()).toBe(0); // all confirmed
    await server.child.stop('SIGKILL');
    await send(ada.page, 'written while the server was down');
    await expect.poll(() => ada.page.getByTestId('waiting').innerText()).toContain('1 message waiting');
    server = await spawnChat(dbPath, { PORT: String(server.port) });
    await expect
      .poll(() => shownTexts(bob.page), { timeout: 30_000 })
      .toContain('written while the server was down');
    for (const page of [ada.page, bob.page]) {
      const texts = await shownTexts(page);
      for (let i = 0; i < 5; i++) expect(texts.filter((t) => t === `before the crash ${i}`)).toHaveLength(1);
    }
    for (let i = 0; i < 5; i++) expect(await stored(`before the crash ${i}`)).toBe(1);
    expect(await stored('written while the server was down')).toBe(1);
    // A fresh page reads the same from the database.
    await bob.page.reload();
    await bob.page.locator('[data-testid=room][data-live=true]').waitFor();
    await expect
      .poll(async () => (await shownTexts(bob.page)).filter((t) => t.startsWith('before the crash')).length)
      .toBe(5);
    mkdirSync(artifacts, { recursive: true });
    await ada.page.getByTestId('composer').fill('Looks all there');
    await expect.poll(() => bob.page.getByTestId('typing').innerText()).toBe('Ada is typing…');
    await bob.page.screenshot({ path: join(artifacts, 'two-people.png') });
    await ada.page.getByTestId('composer').fill('');
  });
});
