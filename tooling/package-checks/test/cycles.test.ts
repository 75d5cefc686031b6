/**
 * No import cycles in any package's sources, type imports included: a cycle is two modules
 * that cannot be understood (or moved) apart. Checked with madge over each package's `src`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/packages.ts';

const packages = readdirSync(join(repoRoot, 'packages')).filter((name) =>
  existsSync(join(repoRoot, 'packages', name, 'src')),
);

describe('import cycles', () => {
  it.each(packages)('none in packages/%s/src, type imports included', async (name) => {
    const dir = join(repoRoot, 'packages', name);
    const graph = await madge(join(dir, 'src'), {
      fileExtensions: ['ts'],
      tsConfig: join(dir, 'tsconfig.json'),
      detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
    });
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(1);
    expect(graph.circular()).toEqual([]);
  });
});
