/**
 * The consumer project: a fresh directory outside the workspace where the tarballs are
 * installed with plain `npm install`, the way a user installs from the registry. Third-party
 * dependencies come from the registry (or npm's cache) at the ranges the packages declare;
 * the sockkit packages come only from the tarballs, pinned with `overrides` so that no
 * dependency edge can reach for another copy.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackedPackage } from './pack.ts';
import { type Manifest, readJson, repoRoot } from './packages.ts';
import { cleanEnv, runOk } from './run.ts';

/** The fixture files copied into the consumer project. */
export const fixturesDir = fileURLToPath(new URL('../fixtures/consumer/', import.meta.url));

/** The package.json of the consumer project for these tarballs. */
export function consumerManifest(packed: readonly PackedPackage[]): Record<string, unknown> {
  const dependencies: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  const sockkit = new Set(packed.map((p) => p.name));
  for (const pkg of packed) {
    dependencies[pkg.name] = `file:${pkg.tarball}`;
    overrides[pkg.name] = `$${pkg.name}`;
  }
  // Peers at the ranges the packages ask users for (optional ones too: the Node client uses ws).
  for (const pkg of packed) {
    const manifest = readJson<Manifest>(join(pkg.dir, 'package.json'));
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (!sockkit.has(name) && !(name in dependencies)) dependencies[name] = range;
    }
  }
  // The React page renders with react-dom, which no package needs itself: at React's range.
  if (dependencies.react !== undefined) dependencies['react-dom'] ??= dependencies.react;
  // A Node user of @sockkit/server type-checks against Node's types.
  const root = readJson<{ devDependencies: Record<string, string> }>(join(repoRoot, 'package.json'));
  const devDependencies = { '@types/node': root.devDependencies['@types/node'] ?? '^20.17.0' };
  return {
    name: 'sockkit-consumer',
    private: true,
    type: 'module',
    dependencies,
    devDependencies,
    overrides,
  };
}

/** Writes the consumer project into `dir`, installs it, and returns the install output. */
export async function installConsumer(packed: readonly PackedPackage[], dir: string): Promise<string> {
  cpSync(fixturesDir, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(consumerManifest(packed), null, 2)}\n`);
  const result = await runOk(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: dir, timeoutMs: 240_000, env: cleanEnv() },
  );
  return result.stdout + result.stderr;
}
