/**
 * TypeScript users: a program written against the published .d.ts files type-checks with
 * `strict` (and `skipLibCheck: false`, so the .d.ts files themselves are checked) under both
 * `moduleResolution: NodeNext` and `Bundler`; a browser-only program type-checks with no Node
 * types. Each `@ts-expect-error` must be an error, and with its directive removed tsc must
 * report exactly that line. The six tsc runs go concurrently (each is single-threaded).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../src/packages.ts';
import { describeRun, run } from '../src/run.ts';

const context = inject('packChecks');
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

function consumer(): string {
  if (!context.consumerDir) throw new Error(`no consumer project: ${context.consumerError}`);
  return context.consumerDir;
}

function typecheck(project: string) {
  return run(process.execPath, [tsc, '-p', project, '--pretty', 'false'], {
    cwd: consumer(),
    timeoutMs: 120_000,
  });
}

describe.concurrent.each([
  ['tsconfig.nodenext.json', 'types.ts'],
  ['tsconfig.bundler.json', 'types.ts'],
  ['tsconfig.browser.json', 'browser-types.ts'],
])('%s', (project, file) => {
  it(`type-checks ${file} against the published declarations`, async () => {
    const result = await typecheck(project);
    expect(result.code, describeRun(result)).toBe(0);
  });

  it('reports each @ts-expect-error line as an error once the directive is removed', async () => {
    const dir = consumer();
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const directives = lines.flatMap((line, i) => (line.trim().startsWith('// @ts-expect-error') ? [i] : []));
    expect(directives.length).toBeGreaterThan(0);
    const stripped = lines.map((line, i) => (directives.includes(i) ? '' : line));
    const negative = file.replace(/\.ts$/, `.${project.split('.')[1]}.negative.ts`);
    writeFileSync(join(dir, negative), stripped.join('\n'));
    const config = project.replace(/\.json$/, '.negative.json');
    // The declarations were checked above; here only the errors in the file matter.
    const negativeConfig = {
      extends: `./${project}`,
      compilerOptions: { skipLibCheck: true },
      files: [negative],
    };
    writeFileSync(join(dir, config), JSON.stringify(negativeConfig));
    const result = await typecheck(config);
    expect(result.code, describeRun(result)).not.toBe(0);
    const errorLines = [...result.stdout.matchAll(/\.negative\.ts\((\d+),\d+\): error TS\d+/g)].map((m) =>
      Number(m[1]),
    );
    // The line after each directive (1-based: directive index + 2), and nothing else.
    expect([...new Set(errorLines)].sort((a, b) => a - b)).toEqual(directives.map((i) => i + 2));
  });
});
