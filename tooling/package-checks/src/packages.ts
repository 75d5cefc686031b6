/**
 * The public packages: every `packages/*` whose package.json is not private. A package
 * becomes public by dropping `"private": true`, and from then on every check here covers it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root. */
export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The fields of package.json the checks read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  main?: string;
  module?: string;
  types?: string;
  typings?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** A public workspace package. */
export interface PublicPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the package directory. */
  readonly dir: string;
  readonly manifest: Manifest;
}

/** Reads a JSON file. */
export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every non-private package under `packages/`, sorted by name. */
export function publicPackages(root = repoRoot): PublicPackage[] {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(base, entry.name);
      const manifest = readJson<Manifest>(join(dir, 'package.json'));
      return { name: manifest.name, version: manifest.version, dir, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One path that package.json points at, and which field says so. */
export interface ManifestPath {
  readonly field: string;
  readonly path: string;
}

/**
 * Every file path package.json points at: `main`, `module`, `types`, `typings`, each `bin`,
 * and each leaf of `exports` (through nested conditions). Subpath patterns with `*` are
 * returned as written; callers expand or skip them.
 */
export function manifestPaths(manifest: Manifest): ManifestPath[] {
  const out: ManifestPath[] = [];
  for (const field of ['main', 'module', 'types', 'typings'] as const) {
    const value = manifest[field];
    if (typeof value === 'string') out.push({ field, path: value });
  }
  if (typeof manifest.bin === 'string') out.push({ field: 'bin', path: manifest.bin });
  else if (manifest.bin) {
    for (const [name, path] of Object.entries(manifest.bin)) out.push({ field: `bin.${name}`, path });
  }
  const walk = (value: unknown, field: string): void => {
    if (typeof value === 'string') out.push({ field, path: value });
    else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${field}[${i}]`);
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, `${field}["${key}"]`);
    }
  };
  walk(manifest.exports, 'exports');
  return out;
}

/** The subpaths of `exports` (`.`, `./node`, ...), excluding `./package.json`. */
export function exportSubpaths(manifest: Manifest): string[] {
  const exports = manifest.exports;
  if (typeof exports === 'string' || Array.isArray(exports)) return ['.'];
  if (!exports || typeof exports !== 'object') return [];
  const keys = Object.keys(exports);
  if (!keys.every((key) => key.startsWith('.'))) return ['.'];
  return keys.filter((key) => key !== './package.json');
}

/** `@sockkit/client` + `./node` -> `@sockkit/client/node`. */
export function specifier(name: string, subpath: string): string {
  return subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
}
