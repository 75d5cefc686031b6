/** The built page ships no zod: it has the contract's type only (src/web/sockkit.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('the page bundle holds the sockkit client and no zod', () => {
  const assets = new URL('../dist/web/assets/', import.meta.url);
  const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  const page = scripts.map((file) => readFileSync(new URL(file, assets), 'utf8')).join('\n');
  expect(page).toContain('params provider failed'); // the sockkit client is in it
  expect(page).not.toMatch(/\$ZodType|ZodError/);
});
