/**
 * Packing: `npm pack` for every public package into one directory, as `npm publish` would
 * pack them, with the file list npm reports for each tarball.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type PublicPackage, repoRoot } from './packages.ts';
import { cleanEnv, runOk } from './run.ts';

/** One packed tarball. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the package directory in the monorepo. */
  readonly dir: string;
  /** Absolute path of the `.tgz`. */
  readonly tarball: string;
  /** Paths inside the tarball (relative to `package/`), as npm lists them. */
  readonly files: string[];
}

interface NpmPackEntry {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

/** Packs `packages` into `destination` with one `npm pack` run. */
export async function packAll(
  packages: readonly PublicPackage[],
  destination: string,
): Promise<PackedPackage[]> {
  mkdirSync(destination, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', destination];
  for (const pkg of packages) args.push('--workspace', pkg.name);
  const result = await runOk('npm', args, { cwd: repoRoot, timeoutMs: 120_000, env: cleanEnv() });
  const entries = JSON.parse(result.stdout) as NpmPackEntry[];
  return packages.map((pkg) => {
    const entry = entries.find((e) => e.name === pkg.name);
    if (!entry) throw new Error(`npm pack did not report ${pkg.name}:\n${result.stdout}`);
    return {
      name: pkg.name,
      version: entry.version,
      dir: pkg.dir,
      tarball: join(destination, entry.filename),
      files: entry.files.map((f) => f.path).sort(),
    };
  });
}
