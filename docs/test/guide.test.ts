/**
 * The guide shows the whole app it builds: every source file of examples/chat appears in
 * docs/guide.md as a named block (blocks.test.ts holds each one equal to its file).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { namedFiles } from '../check/project.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const app = join(root, 'examples', 'chat');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : [relative(root, join(dir, entry.name))],
  );
}

it("every file of the guide's app is shown in the guide, and nothing else is named after it", () => {
  const shown = namedFiles(root, 'docs/guide.md').filter((name) => name.startsWith('examples/chat/'));
  const files = [...sources(join(app, 'src')), relative(root, join(app, 'vite.config.ts'))];
  expect(files.length).toBeGreaterThan(10);
  expect([...shown].sort()).toEqual([...files].sort());
});
