/**
 * publint and are-the-types-wrong on each packed tarball.
 *
 * attw runs with `--profile esm-only`: the packages ship ESM only, so the `node10` and
 * `node16 (from CJS)` resolutions report "ESM (dynamic import only)" by design. Every
 * resolution a user of ours has — `node16`/`nodenext` from ESM and `bundler` — must be clean.
 * (CommonJS callers on Node >= 20.19 can still `require()` the packages at run time; the
 * consumer test proves that, but TypeScript's CJS view of an ESM-only package is honestly
 * "import only", which is what the ignored resolutions say.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, inject, it } from 'vitest';
import { publicPackages, repoRoot } from '../src/packages.ts';
import { describeRun, run } from '../src/run.ts';

const context = inject('packChecks');
const attw = join(repoRoot, 'node_modules', '.bin', 'attw');

function tarballOf(name: string): string {
  const packed = context.packed.find((p) => p.name === name);
  if (!packed) throw new Error(`${name} was not packed: ${context.packError}`);
  return packed.tarball;
}

describe.each(publicPackages())('$name', ({ name }) => {
  it('is publint clean (strict, suggestions included)', async () => {
    const bytes = readFileSync(tarballOf(name));
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const { messages, pkg } = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
    const lines = messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`);
    expect(lines).toEqual([]);
  });

  it('is are-the-types-wrong clean for ESM consumers (profile esm-only)', async () => {
    const result = await run(
      attw,
      [tarballOf(name), '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color'],
      { cwd: context.workDir, timeoutMs: 60_000 },
    );
    expect(result.code, describeRun(result)).toBe(0);
    // The resolutions that matter were analysed, not skipped.
    expect(result.stdout).toMatch(/node16 \(from ESM\)/);
    expect(result.stdout).toMatch(/bundler/);
  });
});
