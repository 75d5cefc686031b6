/** Two people in Chromium: each its own browser (own localStorage, so own identity), with page errors collected. */
import { findChromium } from '@sockkit/testing';
import { openChromium, type TestChromium } from '@sockkit/testing/chromium';
import type { Page } from 'playwright-core';

/** Debian's Chromium, or undefined (the suites skip, or fail under SOCKKIT_REQUIRE_ALL=1). */
export const chromiumPath = findChromium();

export interface Person {
  name: string;
  page: Page;
  browser: TestChromium;
  errors: string[];
}

/** Opens a browser for `name`, answers the name prompt at `url`, and waits for the room. */
export async function personAt(name: string, url: string): Promise<Person> {
  const browser = await openChromium(chromiumPath!, `chat-${name}`);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (line) => {
    if (line.type() === 'error') errors.push(line.text());
  });
  await page.goto(url);
  await page.getByTestId('name-prompt').locator('input').fill(name);
  await page.getByTestId('name-prompt').locator('button').click();
  await page.locator('[data-testid=room][data-live=true]').waitFor();
  return { name, page, browser, errors };
}

/** The texts of the messages a page shows, in order. */
export const shownTexts = (page: Page) => page.locator('[data-testid=message] .text').allInnerTexts();

/** Types `text` in the composer and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}
