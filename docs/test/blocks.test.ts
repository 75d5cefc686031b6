/**
 * Docs are code: every TypeScript and Vue block of every README and of docs/ compiles under
 * the repository's strict settings against the built packages, and every block that names a
 * real file is exactly that file. A failure names the Markdown file and line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CompileResult, compile, formatError } from '../check/compile.js';
import {
  assemble,
  compiledBlocks,
  compiledExtension,
  type Drift,
  drifts,
  markdownFiles,
} from '../check/project.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const standIns = join(root, 'docs', 'examples');
const markdown = markdownFiles(root);

function formatDrift(drift: Drift): string {
  const where = drift.at ? `${drift.at.file}:${drift.at.line}` : drift.markdown;
  return `${where}: ${drift.name} differs from ${drift.real} at line ${drift.line}: the file has ${JSON.stringify(drift.expected)}, the blocks ${JSON.stringify(drift.actual)}`;
}

describe('the Markdown the standard covers', () => {
  it('is every README and everything under docs/', () => {
    for (const expected of [
      'README.md',
      'packages/core/README.md',
      'packages/server/README.md',
      'packages/client/README.md',
      'packages/vue/README.md',
      'packages/react/README.md',
      'packages/redis/README.md',
      'packages/asyncapi/README.md',
      'packages/inspector/README.md',
      'apps/live-docs/README.md',
      'apps/chat/README.md',
      'apps/example/README.md',
      'apps/markdown/README.md',
      'apps/static/README.md',
      'bench/README.md',
      'docs/protocol.md',
      'docs/scaling.md',
      'docs/guide.md',
      'docs/operations.md',
    ]) {
      expect(markdown).toContain(expected);
    }
    expect(markdown.filter((file) => file.includes('node_modules') || file.startsWith('docs/api/'))).toEqual(
      [],
    );
  });

  it('has its code blocks found: as many as fences a plain line scan sees', () => {
    for (const file of markdown) {
      const fences = readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((line) => compiledExtension(/^\s*(```|~~~)\s*(\w+)/.exec(line)?.[2] ?? '') !== undefined);
      expect({ file, blocks: compiledBlocks(root, file).length }).toEqual({ file, blocks: fences.length });
    }
  });
});

describe('every TypeScript and Vue block compiles under strict', () => {
  let result: CompileResult;
  beforeAll(() => {
    result = compile(
      root,
      markdown.flatMap((file) => assemble(root, file, standIns)),
    );
  });

  it('the compiler ran and reported only located errors', () => {
    expect(result.files).toBeGreaterThan(20);
    expect(result.unplaced).toEqual([]);
  });

  it.each(markdown)('%s', (file) => {
    expect(result.errors.filter((error) => error.markdown === file).map(formatError)).toEqual([]);
  });
});

describe('blocks that name a real file are that file', () => {
  it.each(markdown)('%s', (file) => {
    expect(drifts(root, file, standIns).map(formatDrift)).toEqual([]);
  });
});
