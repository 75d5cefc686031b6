/**
 * The checker itself: it must find blocks wherever Markdown puts them, join and name them by
 * the convention, and fail on a block that does not compile or a file that drifted, at the
 * right Markdown line. A fixture repository with known mistakes, compiled for real.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, formatError } from '../check/compile.js';
import { blockFileName, codeBlocks } from '../check/markdown.js';
import { assemble, drifts } from '../check/project.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('codeBlocks', () => {
  it('finds backtick and tilde fences, indented ones in lists, and gives each first line', () => {
    const source = [
      '# Title', // 1
      '```ts', // 2
      'const a = 1;', // 3
      '```', // 4
      '- item', // 5
      '', // 6
      '  ```typescript title="x.ts"', // 7
      '  const b = 2;', // 8
      '    const c = 3;', // 9
      '  ```', // 10
      '~~~vue', // 11
      '<template><p /></template>', // 12
      '~~~', // 13
      '````md', // 14
      '```ts', // 15
      'not a block of its own', // 16
      '```', // 17
      '````', // 18
      '```sh', // 19
      'npm test', // 20
    ].join('\n');
    expect(codeBlocks('x.md', source)).toEqual([
      { markdown: 'x.md', lang: 'ts', line: 3, text: 'const a = 1;' },
      { markdown: 'x.md', lang: 'typescript', line: 8, text: 'const b = 2;\n  const c = 3;' },
      { markdown: 'x.md', lang: 'vue', line: 12, text: '<template><p /></template>' },
      { markdown: 'x.md', lang: 'md', line: 15, text: '```ts\nnot a block of its own\n```' },
      { markdown: 'x.md', lang: 'sh', line: 20, text: 'npm test' }, // unclosed: runs to the end
    ]);
  });

  it('reads a name only from a first line that is nothing but a path', () => {
    const named = (text: string) => blockFileName({ markdown: 'x.md', lang: 'ts', line: 1, text });
    expect(named('// contract.ts\nexport {}')).toBe('contract.ts');
    expect(named('// examples/chat/src/server.ts')).toBe('examples/chat/src/server.ts');
    expect(named('<!-- src/web/App.vue -->\n<template />')).toBe('src/web/App.vue');
    expect(named('// 1. One contract, shared by both sides.')).toBeUndefined();
    expect(named('// see contract.ts for more')).toBeUndefined();
    expect(named('const x = 1; // contract.ts')).toBeUndefined();
  });
});

describe('a fixture repository with broken docs', () => {
  const root = mkdtempSync(join(tmpdir(), 'sockkit-docs-fixture-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  copyFileSync(join(repo, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  const standIns = join(root, 'stand-ins');
  mkdirSync(standIns);
  writeFileSync(join(standIns, 'app.ts'), 'export declare function log(text: string): void;\n');
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'real.ts'), "export const shown = 1;\nexport const hidden = 'no';\n");
  const lines = [
    '# Fixture', // 1
    '```ts', // 2
    '// contract.ts', // 3
    'export const answer: number = 42;', // 4
    '```', // 5
    '```ts', // 6
    "import { log } from './app.js';", // 7
    "import { answer } from './contract.js';", // 8
    'log(String(answer));', // 9
    'const wrong: string = answer;', // 10: TS2322
    '```', // 11
    '1. In a list, the same file again:', // 12
    '', // 13
    '   ```ts', // 14
    '   // contract.ts', // 15
    '   export const again: number = answer + 1;', // 16: answer is in scope (one file)
    '   export const oops: string = again;', // 17: TS2322
    '   ```', // 18
    '```vue', // 19
    '<script setup lang="ts">', // 20
    "const count: number = 'one';", // 21: TS2322
    '</script>', // 22
    '<template><p>{{ count }}</p></template>', // 23
    '```', // 24
    '```ts', // 25
    '// src/real.ts', // 26
    'export const shown = 1;', // 27
    "export const hidden = 'yes';", // 28: differs from the file
    '```', // 29
    '```ts', // 30
    'qqqNeverDeclared();', // 31: TS2304
    '```', // 32
    '```tsx', // 33
    'const element: number = <p>{String(1)}</p>;', // 34: TS2322, compiled as TSX (react-jsx)
    '```', // 35
  ];
  writeFileSync(join(root, 'guide.md'), lines.join('\n'));

  it('reports every error at its Markdown line, and only those', () => {
    const files = assemble(root, 'guide.md', standIns);
    expect(files.map((file) => file.path).sort()).toEqual(
      [
        'app.ts',
        'block-31.ts',
        'block-34.tsx',
        'block-7.ts',
        'block-20.vue',
        'contract.ts',
        'src/real.ts',
      ].sort(),
    );
    const result = compile(root, files);
    expect(result.unplaced).toEqual([]);
    const found = result.errors.map(formatError).map((line) => line.split(':').slice(0, 3).join(':'));
    expect(found.sort()).toEqual(
      [
        'guide.md:10: TS2322',
        'guide.md:17: TS2322',
        'guide.md:21: TS2322',
        'guide.md:31: TS2304',
        'guide.md:34: TS2322',
      ].sort(),
    );
  });

  it('reports a named block that differs from the real file, at the line that differs', () => {
    expect(drifts(root, 'guide.md', standIns)).toEqual([
      {
        markdown: 'guide.md',
        name: 'src/real.ts',
        real: 'src/real.ts',
        line: 2,
        at: { file: 'guide.md', line: 28 },
        expected: "export const hidden = 'no';",
        actual: "export const hidden = 'yes';",
      },
    ]);
  });
});
