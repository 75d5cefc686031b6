/**
 * No import cycles in any package's sources, type imports included: a cycle is two modules
 * that cannot be understood (or moved) apart. Imports are read with TypeScript's own
 * pre-processor, which sees `import type` and `export … from` too; relative ones are followed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/packages.ts';

/** Relative imports of each `.ts` file under `dir`, resolved to files. */
function importGraph(dir: string): Map<string, string[]> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((ref) => ref.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
      .map((target) => (existsSync(target) ? target : join(target.replace(/\.ts$/, ''), 'index.ts')));
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle reachable in `graph`, each as the files on it (depth-first, one per back edge). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const packages = readdirSync(join(repoRoot, 'packages')).filter((name) =>
  existsSync(join(repoRoot, 'packages', name, 'src')),
);

describe('import cycles', () => {
  it('the checker finds a cycle through type imports', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    const { importedFiles } = ts.preProcessFile(
      "import type { A } from './a.js';\nexport { B } from './b.js';",
      true,
      true,
    );
    expect(importedFiles.map((ref) => ref.fileName)).toEqual(['./a.js', './b.js']);
  });

  it.each(packages)('none in packages/%s/src, type imports included', (name) => {
    const src = join(repoRoot, 'packages', name, 'src');
    const graph = importGraph(src);
    expect(graph.size).toBeGreaterThan(1);
    expect(cycles(graph).map((cycle) => cycle.map((file) => relative(src, file)))).toEqual([]);
  });
});
