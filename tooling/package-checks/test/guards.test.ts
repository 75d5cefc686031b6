/**
 * The tarball guards trip on what they are meant to catch: test files and secrets by name,
 * token formats in text, and source maps that leave the package.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestPaths } from '../src/packages.ts';
import { listFiles, secretsIn, sourceMapProblems, unwantedReason } from '../src/tarball.ts';

describe('tarball guards', () => {
  it('flags test files, leftovers and secret-bearing file names, and passes shipped files', () => {
    for (const path of [
      'test/a.test.ts',
      'dist/a.test.js',
      'dist/__tests__/x.js',
      'src/fixtures/x.json',
      'vitest.config.ts',
      'tsconfig.build.json',
      'dist/.tsbuildinfo',
      '.env',
      '.env.local',
      '.npmrc',
      'certs/server.key',
      'id_ed25519',
      'sockkit-core-0.1.0.tgz',
    ]) {
      expect(unwantedReason(path), path).not.toBeNull();
    }
    for (const path of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.js.map',
      'src/contract.ts',
      'README.md',
    ]) {
      expect(unwantedReason(path), path).toBeNull();
    }
  });

  it('finds token formats in text', () => {
    expect(secretsIn('const k = "-----BEGIN RSA PRIVATE KEY-----"')).toEqual(['private key']);
    expect(secretsIn(`//registry.npmjs.org/:_authToken=abc123`)).toEqual(['registry auth token']);
    expect(secretsIn(`token npm_${'a'.repeat(36)}`)).toEqual(['npm token']);
    expect(secretsIn(`AKIA${'A'.repeat(16)}`)).toEqual(['AWS access key']);
    expect(secretsIn('export const password = schema.string();')).toEqual([]);
  });

  it('flags source maps that point outside the package or at files not shipped', () => {
    const root = mkdtempSync(join(tmpdir(), 'sockkit-guards-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('src/ok.ts', 'export {};');
      write('dist/ok.js', 'export {};\n//# sourceMappingURL=ok.js.map');
      write('dist/ok.js.map', JSON.stringify({ sources: ['../src/ok.ts'] }));
      write('dist/out.js.map', JSON.stringify({ sources: ['../../../other/src/out.ts'] }));
      write('dist/gone.js.map', JSON.stringify({ sources: ['../src/gone.ts'] }));
      write('dist/dangling.js', 'export {};\n//# sourceMappingURL=dangling.js.map');
      const problems = sourceMapProblems(root, listFiles(root));
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toMatch(/out\.js\.map: .* points outside the package/);
      expect(problems.join('\n')).toMatch(/gone\.js\.map: .* is not in the tarball/);
      expect(problems.join('\n')).toMatch(
        /dangling\.js: sourceMappingURL dangling\.js\.map is not in the tarball/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('collects every path package.json points at, through nested conditions and bins', () => {
    const paths = manifestPaths({
      name: 'x',
      version: '1.0.0',
      main: './dist/index.js',
      types: './dist/index.d.ts',
      bin: { x: './bin/x.js' },
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './node': { node: { import: './dist/node.js' }, default: './dist/browser.js' },
      },
    });
    expect(paths.map((p) => p.path).sort()).toEqual(
      [
        './bin/x.js',
        './dist/browser.js',
        './dist/index.d.ts',
        './dist/index.d.ts',
        './dist/index.js',
        './dist/index.js',
        './dist/node.js',
      ].sort(),
    );
  });
});
