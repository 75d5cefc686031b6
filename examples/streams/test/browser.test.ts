/**
 * The example in Chromium against its built server in its own process: an answer streams in
 * token by token and Stop ends it (the server's generator stops: it says so), and a 3 MiB file
 * uploads with the progress bar reaching the end and the server's size and checksum shown.
 */
import { fileURLToPath } from 'node:url';
import { findChromium, startNode } from '@sockkit/testing';
import { openChromium, type TestChromium } from '@sockkit/testing/chromium';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const executablePath = findChromium();
const server = fileURLToPath(new URL('../dist/server.js', import.meta.url));

describe.skipIf(!executablePath)('streams example in Chromium', () => {
  let chromium: TestChromium;
  let child: Awaited<ReturnType<typeof startNode>>;
  let page: Page;

  beforeAll(async () => {
    child = await startNode([server], /listening on (http:\/\/localhost:\d+)/, {
      env: { PORT: '0', TOKEN_MS: '20' },
    });
    chromium = await openChromium(executablePath!, 'streams');
    page = await chromium.context.newPage();
    await page.goto(child.ready[1]!);
  });

  afterAll(async () => {
    await chromium?.close();
    await child?.stop();
  });

  const text = (id: string) => page.locator(`#${id}`).textContent();

  it('streams an answer token by token; Stop ends it on the server too', async () => {
    await page.fill('#prompt', 'one two three');
    await page.click('#ask');
    await expect.poll(async () => (await text('answer'))?.split(' ').length ?? 0).toBeGreaterThan(6);
    expect(await text('answer')).toMatch(/^one two three one two three /);
    await page.click('#stop');
    await expect.poll(() => text('answer-status')).toBe('stopped');
    const shown = await text('answer');
    await expect.poll(() => child.output()).toMatch(/answer stopped after \d+ tokens/);
    const sent = Number(/answer stopped after (\d+) tokens/.exec(child.output())![1]);
    // The page shows what the server sent before the stop reached it, and nothing comes after.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await text('answer')).toBe(shown);
    expect(shown!.trim().split(' ').length).toBeLessThanOrEqual(sent);
    expect(await page.isDisabled('#stop')).toBe(true);
  });

  it('uploads a file in chunks with the progress bar reaching the end', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    await page.setInputFiles('#file', {
      name: 'three.bin',
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    const seen = new Set<number>();
    await page.click('#upload');
    await expect
      .poll(async () => {
        seen.add(await page.locator('#progress').evaluate((el) => (el as HTMLProgressElement).value));
        return text('upload-status');
      })
      .toBe(`uploaded three.bin: ${bytes.length} bytes, sum ${(bytes.length * 7) % 65_521}`);
    expect(await page.locator('#progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(1);
    expect(child.output()).toContain(`upload three.bin: ${bytes.length} bytes`);
    // The bar moved through values between 0 and 1 as chunks left, not straight to the end.
    expect([...seen].some((v) => v > 0 && v < 1)).toBe(true);
  });
});
