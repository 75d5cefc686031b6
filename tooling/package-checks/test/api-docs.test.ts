/**
 * The API reference: `scripts/api-docs.mjs` (the root `api-docs` script) renders every public
 * package with TypeDoc from its TSDoc comments, and every exported symbol — and every member
 * of an exported class or interface — has a doc comment, with no TypeDoc warning (broken
 * `{@link}`s, public types that refer to types the package does not export).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { publicPackages, repoRoot } from '../src/packages.ts';
import { describeRun, type RunResult, run } from '../src/run.ts';

const context = inject('packChecks');

describe('API reference (TypeDoc)', () => {
  const out = join(context.workDir, 'api-docs');
  const json = join(context.workDir, 'api-docs.json');
  let result: RunResult;
  const lines = (prefix: string) =>
    result.stdout
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .map((line) => line.slice(prefix.length));

  beforeAll(async () => {
    result = await run(process.execPath, ['scripts/api-docs.mjs', '--out', out, '--json', json], {
      cwd: repoRoot,
      timeoutMs: 180_000,
    });
  });

  it('renders HTML and a JSON model covering every public package', () => {
    expect(result.stdout, describeRun(result)).toMatch(/^api-docs: \d+ packages/m);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    const model = JSON.parse(readFileSync(json, 'utf8')) as { children?: { name: string }[] };
    expect((model.children ?? []).map((c) => c.name).sort()).toEqual(publicPackages().map((p) => p.name));
  });

  it('has a doc comment on every exported symbol', () => {
    expect(lines('undocumented symbol: ')).toEqual([]);
  });

  it('has a doc comment on every member of an exported class or interface', () => {
    expect(lines('undocumented member: ')).toEqual([]);
  });

  it('has no TypeDoc warnings or errors (links resolve, referenced types are exported)', () => {
    const warnings = (result.stdout + result.stderr)
      .split('\n')
      .filter((line) => /\[(warning|error)\]/.test(line));
    expect(warnings).toEqual([]);
    expect(result.code, describeRun(result)).toBe(0);
  });
});
