/**
 * The inspector in Chromium against app servers under traffic the test drives. Every figure
 * checked is one the test caused, and each is checked to move when the traffic changes. The
 * second test runs two nodes on Redis (the app's topics on one prefix, the inspector's figures
 * on another), as two processes behind a load balancer would: a page on node a shows both.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RedisBroker } from '@sockkit/redis';
import { findChromium, findRedis } from '@sockkit/testing';
import { openChromium, type TestChromium } from '@sockkit/testing/chromium';
import { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startApp } from './app-fixture.js';

const executablePath = findChromium();
const redisUrl = await findRedis();
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

type App = Awaited<ReturnType<typeof startApp>>;
type AppClient = ReturnType<App['client']>;

/** Users in room `lobby` with presence, calling and publishing until `stop()`. */
async function traffic(users: { client: AppClient; name: string }[]) {
  await Promise.all(
    users.map(
      ({ client, name }) => client.subscribe.room({ name: 'lobby' }, undefined, { presence: { name } }).ready,
    ),
  );
  let running = true;
  const loops = users.map(async ({ client, name }) => {
    for (let n = 0; running; n++) {
      await client.call.echo({ text: `${name}:${n}` });
      if (n % 3 === 0) await client.call.slow({ ms: 5 + (n % 20) });
      if (n % 10 === 0) await client.call.secret().catch(() => undefined);
      if (n % 4 === 0) await client.publish.room({ name: 'lobby' }, { from: name, text: `hi ${n}` });
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  });
  // A user the app disconnects, or a failed test closing the clients, ends a loop with an error.
  for (const loop of loops) loop.catch(() => undefined);
  return async () => {
    running = false;
    await Promise.allSettled(loops);
  };
}

/** Opens the inspector of `app` with the access cookie; on failure prints what the page showed. */
async function openInspector(chromium: TestChromium, app: App) {
  const page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
  onTestFailed(async () => {
    const text = await page.evaluate(() => document.body.textContent).catch((e: Error) => e.message);
    console.error(`page errors: ${pageErrors.join('\n')}\npage:\n${text}`);
  });
  await chromium.context.addCookies([{ name: 'inspector', value: 'let-me-in', url: app.origin }]);
  await page.goto(app.page);
  await page.waitForSelector('.status[data-status="open"]');
  return { page, pageErrors };
}

// A poll's attempt must not outlast the poll: without a timeout of its own, reading an element
// not (yet) on the page waits Playwright's 30 s, twice per poll, and the test times out
// with no word of which figure it waited for.
const READ = { timeout: 2_000 };
const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"]`).textContent(READ);
const cell = (page: Page, row: string, col: string) =>
  page.locator(`${row} [data-col="${col}"]`).textContent(READ);
const LOBBY = 'tr[data-channel=\'room:{"name":"lobby"}\']';

// A browser, servers and traffic on 2 cores shared with the other suites: minutes, not seconds.
describe.skipIf(!executablePath)('the inspector page in Chromium', { timeout: 120_000 }, () => {
  let chromium: TestChromium;
  beforeAll(async () => {
    chromium = await openChromium(executablePath as string, 'inspector');
  });
  afterAll(async () => {
    await chromium?.close();
  });

  it('shows connections, calls, latencies, errors, channels, presence, events and the contract, live', async () => {
    await using app = await startApp({ intervalMs: 250, node: 'a' });
    const names = ['ada', 'bob', 'cy', 'dee', 'eve'];
    const stop = await traffic(names.map((name) => ({ client: app.client(name), name })));
    const { page, pageErrors } = await openInspector(chromium, app);

    await expect.poll(() => figure(page, 'nodes')).toBe('1');
    await expect.poll(() => figure(page, 'connections')).toBe('5');
    await expect.poll(() => page.locator('table.connections tbody tr[data-conn]').count()).toBe(5);
    // Calls: counts, latencies, error codes.
    await expect
      .poll(async () => Number(await cell(page, 'tr[data-procedure="echo"]', 'calls')))
      .toBeGreaterThan(20);
    await expect.poll(() => cell(page, 'tr[data-procedure="slow"]', 'p99')).toMatch(/^\d+(\.\d+)? ms$/);
    await expect.poll(() => cell(page, 'tr[data-procedure="secret"]', 'errors')).toMatch(/FORBIDDEN × \d+/);
    await expect.poll(async () => Number.parseFloat((await figure(page, 'calls')) ?? '')).toBeGreaterThan(0);
    // Topics, channels and presence.
    await expect.poll(() => cell(page, LOBBY, 'subscribers')).toBe('5');
    await expect.poll(() => cell(page, LOBBY, 'presence')).toBe('5');
    await expect
      .poll(async () => Number(await cell(page, 'tr[data-topic="room"]', 'delivered')))
      .toBeGreaterThan(0);
    // The users' many FORBIDDEN answers are one row, counted, so they crowd no rarer event out.
    const forbidden = page.locator('table.events tr[data-kind="error"][data-code="FORBIDDEN"]');
    await expect
      .poll(async () => Number(await forbidden.locator('[data-col="times"]').textContent(READ)))
      .toBeGreaterThan(1);
    expect(await forbidden.count()).toBe(1);
    // The charts are drawn (uPlot canvases) with their series.
    await expect.poll(() => page.locator('figure.chart canvas').count()).toBeGreaterThanOrEqual(5);
    await expect
      .poll(() => page.locator('figure[data-chart="Latency p50 / p99"] .u-legend').textContent(READ))
      .toContain('slow p99');

    // The figures move: two more connections, one disconnected by the app, one refused.
    const more = [app.client('fay'), app.client('gus')];
    await Promise.all(more.map((client) => client.call.echo({ text: 'hello' })));
    await expect.poll(() => figure(page, 'connections')).toBe('7');
    const bob = [...app.app.connections.values()].find((conn) => conn.user === 'bob');
    expect(await app.app.connection(bob?.id as string).disconnect('inspected away')).toBe(1);
    await expect.poll(() => figure(page, 'connections')).toBe('6');
    await expect
      .poll(() => page.locator('table.events tr[data-kind="close"][data-code="4006"]').textContent(READ))
      .toContain('inspected away');
    await expect.poll(() => cell(page, LOBBY, 'subscribers')).toBe('4');
    await expect.poll(() => cell(page, LOBBY, 'presence')).toBe('4');
    const mallory = app.client('mallory');
    await expect(mallory.call.echo({ text: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect
      .poll(() => page.locator('table.events tr[data-kind="refused"][data-code="4001"]').count())
      .toBe(1);

    // The table is searchable.
    await page.locator('input.search').fill('dee');
    await expect.poll(() => page.locator('table.connections tbody tr[data-conn]').count()).toBe(1);
    expect(await page.locator('table.connections tbody tr[data-conn]').textContent()).toContain('dee');
    await page.locator('input.search').fill('');

    // The contract, as its AsyncAPI document gives it.
    const echo = page.locator('.contract details[data-procedure="server.echo"]');
    await echo.locator('summary').click();
    await expect.poll(() => echo.locator('pre').first().textContent(READ)).toContain('"text"');
    expect(await page.locator('.contract details[data-topic="room"]').count()).toBe(1);

    mkdirSync(artifacts, { recursive: true });
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: `${artifacts}inspector.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
    await stop();
    await page.close();
  });

  it.skipIf(!redisUrl)('shows every node when the nodes share a Redis, and their broker status', async () => {
    const url = redisUrl as string;
    const prefixes = [uniquePrefix('inspector-app'), uniquePrefix('inspector-figures')];
    const brokers = [0, 1].flatMap(() => prefixes.map((prefix) => new RedisBroker({ url, prefix })));
    await Promise.all(brokers.map((broker) => broker.ready()));
    const [appA, figuresA, appB, figuresB] = brokers as [RedisBroker, RedisBroker, RedisBroker, RedisBroker];
    try {
      await using a = await startApp({ intervalMs: 250, node: 'a', broker: appA, inspectorBroker: figuresA });
      await using b = await startApp({ intervalMs: 250, node: 'b', broker: appB, inspectorBroker: figuresB });
      const stop = await traffic([
        { client: a.client('ada'), name: 'ada' },
        { client: a.client('bob'), name: 'bob' },
        { client: b.client('dee'), name: 'dee' },
      ]);
      const { page, pageErrors } = await openInspector(chromium, a);
      await expect.poll(() => figure(page, 'nodes')).toBe('2');
      await expect.poll(() => figure(page, 'connections')).toBe('3');
      await expect.poll(() => page.locator('.card.broker[data-broker="up"]').count()).toBe(2);
      await expect.poll(() => cell(page, LOBBY, 'subscribers')).toBe('3');
      await expect
        .poll(() => page.locator('table.connections tbody tr[data-conn]').allTextContents())
        .toEqual(expect.arrayContaining([expect.stringContaining('dee')]));
      // Node b's figures move on node a's page.
      const eve = b.client('eve');
      await eve.subscribe.room({ name: 'lobby' }, undefined, { presence: { name: 'eve' } }).ready;
      await expect.poll(() => figure(page, 'connections')).toBe('4');
      await expect.poll(() => cell(page, LOBBY, 'subscribers')).toBe('4');
      await expect.poll(() => cell(page, LOBBY, 'presence')).toBe('4');
      expect(pageErrors).toEqual([]);
      await stop();
      await page.close();
    } finally {
      await Promise.all(brokers.map((broker) => broker.close()));
      for (const prefix of prefixes) await deleteKeys(url, prefix);
    }
  });
});
