/**
 * Debian's Chromium for browser suites, through playwright-core (never a downloaded browser):
 * a persistent context in a fresh profile directory with the flags this machine needs, and
 * one `close()` that ends the browser and removes the profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { chromiumArgs } from './services.js';

/** A Chromium context of a test file. */
export interface TestChromium {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts Chromium at `executablePath` (from `findChromium()`) with a fresh profile. */
export async function openChromium(executablePath: string, name = 'chromium'): Promise<TestChromium> {
  const profile = mkdtempSync(join(tmpdir(), `sockkit-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: chromiumArgs,
    headless: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
