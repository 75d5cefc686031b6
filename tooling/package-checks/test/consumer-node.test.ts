/**
 * The tarballs in a fresh project outside the workspace, used from Node: the install took
 * every @sockkit package from our tarballs (no links, one copy each), then an ESM program and
 * a CommonJS one run a server and a client and must exit on their own.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { describeRun, run } from '../src/run.ts';

const context = inject('packChecks');

function consumer(): string {
  if (!context.consumerDir) throw new Error(`no consumer project: ${context.consumerError}`);
  return context.consumerDir;
}

describe('consumer project (Node)', () => {
  it('installed every sockkit package from its tarball, once, with no links', () => {
    const dir = consumer();
    expect(context.installed, `left out, not built: ${context.missingBuild.join(', ')}`).toEqual(
      context.packed.map((p) => p.name),
    );
    expect(dir.startsWith(context.workDir)).toBe(true);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; link?: boolean; version?: string }>;
    };
    const sockkit = Object.entries(lock.packages).filter(([path]) => /node_modules\/@sockkit\//.test(path));
    const expected = context.installed.map((name) => `node_modules/${name}`).sort();
    expect(sockkit.map(([path]) => path).sort()).toEqual(expected);
    for (const [path, entry] of sockkit) {
      const packed = context.packed.find((p) => path.endsWith(p.name));
      expect(entry.link, path).toBeUndefined();
      expect(entry.resolved?.startsWith('file:'), path).toBe(true);
      expect(resolve(dir, (entry.resolved ?? '').slice('file:'.length)), path).toBe(packed?.tarball);
      expect(lstatSync(join(dir, path)).isSymbolicLink(), path).toBe(false);
    }
    // Nothing from the monorepo is reachable by walking up from the project.
    expect(existsSync(join(dir, '..', 'node_modules'))).toBe(false);
  });

  it('ESM: defines a contract, starts a server, calls both ways, subscribes, shuts down', async () => {
    const result = await run(process.execPath, ['node-esm.mjs'], { cwd: consumer(), timeoutMs: 60_000 });
    expect(result.timedOut, `did not exit on its own\n${describeRun(result)}`).toBe(false);
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/^CONSUMER-ESM-OK /m);
  });

  it('CommonJS: require() of the ESM-only packages works on this Node (>= 20.19)', async () => {
    const result = await run(process.execPath, ['node-cjs.cjs'], { cwd: consumer(), timeoutMs: 60_000 });
    expect(result.timedOut, `did not exit on its own\n${describeRun(result)}`).toBe(false);
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/^CONSUMER-CJS-OK$/m);
  });
});
