/**
 * Once per test run: pack every public package and install the tarballs into one consumer
 * project in a fresh temporary directory. Failures are handed to the tests (which report
 * them) rather than thrown here, so the checks that need no consumer still run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { installConsumer } from './consumer.ts';
import { type PackedPackage, packAll } from './pack.ts';
import { manifestPaths, publicPackages } from './packages.ts';

/** What the setup hands to every test file through `inject()`. */
export interface PackChecksContext {
  /** The temporary directory holding the tarballs and the consumer project. */
  workDir: string;
  packed: PackedPackage[];
  /** Why packing failed, if it did. */
  packError: string | null;
  /** Files package.json points at that the build did not produce ("name: path"). */
  missingBuild: string[];
  /** The packages installed into the consumer: built, with their @sockkit dependencies built. */
  installed: string[];
  /** The consumer project, once installed. */
  consumerDir: string | null;
  /** Why installing the consumer failed, if it did. */
  consumerError: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    packChecks: PackChecksContext;
  }
}

const keep = process.env.SOCKKIT_KEEP_TMP === '1';

export default async function setup(project: TestProject): Promise<() => void> {
  const workDir = mkdtempSync(join(tmpdir(), 'sockkit-package-checks-'));
  const context: PackChecksContext = {
    workDir,
    packed: [],
    packError: null,
    missingBuild: [],
    installed: [],
    consumerDir: null,
    consumerError: null,
  };
  const packages = publicPackages();
  const unbuilt = new Set<string>();
  for (const pkg of packages) {
    for (const { path } of manifestPaths(pkg.manifest)) {
      if (!path.includes('*') && !existsSync(join(pkg.dir, path))) {
        context.missingBuild.push(`${pkg.name}: ${path}`);
        unbuilt.add(pkg.name);
      }
    }
  }
  const tarballs = join(workDir, 'tarballs');
  try {
    context.packed = await packAll(packages, tarballs);
  } catch (error) {
    context.packError = String(error);
  }
  // A package the build left incomplete (or that depends on one) stays out of the consumer,
  // so the rest is still checked; the manifest checks fail for it by name.
  const usable = (name: string, seen = new Set<string>()): boolean => {
    const pkg = packages.find((p) => p.name === name);
    if (!pkg || unbuilt.has(name)) return false;
    if (seen.has(name)) return true;
    seen.add(name);
    const deps = Object.keys(pkg.manifest.dependencies ?? {}).filter((dep) => dep.startsWith('@sockkit/'));
    return deps.every((dep) => usable(dep, seen));
  };
  const installable = context.packed.filter((p) => usable(p.name));
  if (context.packError !== null) context.consumerError = context.packError;
  else if (installable.length === 0)
    context.consumerError = `nothing built: ${context.missingBuild.join(', ')}`;
  else {
    const consumerDir = join(workDir, 'consumer');
    try {
      await installConsumer(installable, consumerDir);
      context.consumerDir = consumerDir;
      context.installed = installable.map((p) => p.name);
    } catch (error) {
      context.consumerError = String(error);
    }
  }
  project.provide('packChecks', context);
  return () => {
    if (keep) console.log(`SOCKKIT_KEEP_TMP=1: left ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  };
}
