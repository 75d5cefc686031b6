/**
 * What each public tarball holds: every path package.json points at exists after the build
 * and is packed; no test files, build leftovers or secrets; source maps stay inside the
 * package; a README that tells a user how to start. The contents are listed in the output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { PackedPackage } from '../src/pack.ts';
import { manifestPaths, publicPackages } from '../src/packages.ts';
import {
  extract,
  listFiles,
  readIfExists,
  secretsIn,
  sourceMapProblems,
  unwantedReason,
} from '../src/tarball.ts';

const context = inject('packChecks');
const packages = publicPackages();

it('finds the public packages and packs each of them', () => {
  expect(packages.map((p) => p.name)).toEqual(expect.arrayContaining(['@sockkit/core']));
  expect(context.packError).toBeNull();
  expect(context.packed.map((p) => p.name)).toEqual(packages.map((p) => p.name));
});

describe.each(packages)('$name', (pkg) => {
  let packed: PackedPackage;
  let root: string;
  let files: string[];

  beforeAll(async () => {
    const found = context.packed.find((p) => p.name === pkg.name);
    if (!found) throw new Error(`${pkg.name} was not packed: ${context.packError}`);
    packed = found;
    root = await extract(packed.tarball, join(context.workDir, 'extracted', pkg.name));
    files = listFiles(root);
    console.log(
      `${packed.name}@${packed.version} — ${files.length} files in ${packed.tarball}:\n  ${files.join('\n  ')}`,
    );
  });

  it('tarball holds exactly the files npm pack listed', () => {
    expect(files).toEqual([...packed.files].sort());
  });

  it('every path in exports, main, types and bin exists after build and is packed', () => {
    const paths = manifestPaths(pkg.manifest);
    expect(paths.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const { field, path } of paths) {
      if (path.includes('*')) {
        problems.push(`${field}: subpath pattern ${path} is not checked here; list files explicitly`);
        continue;
      }
      const normal = path.replace(/^\.\//, '');
      if (!existsSync(join(pkg.dir, normal)))
        problems.push(`${field}: ${path} missing in ${pkg.dir} (built?)`);
      if (!files.includes(normal)) problems.push(`${field}: ${path} not in the tarball`);
    }
    expect(problems).toEqual([]);
  });

  it('has no test files, build leftovers or secret-bearing files', () => {
    const found = files.map((file) => [file, unwantedReason(file)]).filter(([, why]) => why !== null);
    expect(found).toEqual([]);
  });

  it('has no secrets in any packed text', () => {
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const why of secretsIn(text)) found.push(`${file}: ${why}`);
    }
    expect(found).toEqual([]);
  });

  it('has source maps that point only at files inside the package', () => {
    expect(sourceMapProblems(root, files)).toEqual([]);
  });

  it('ships package.json unchanged and a README with install, example and API sections', () => {
    const shipped = JSON.parse(readIfExists(root, 'package.json') ?? '{}') as {
      name?: string;
      version?: string;
    };
    expect(shipped.name).toBe(pkg.name);
    expect(shipped.version).toBe(pkg.version);
    const readme = readIfExists(root, 'README.md');
    expect(readme, `${pkg.name} has no README.md`).not.toBeNull();
    const headings = (readme ?? '').split('\n').filter((line) => /^#{1,4}\s/.test(line));
    const missing = [
      ['install', /install/i],
      ['example', /example|usage|quick ?start|getting started/i],
      ['API', /\bAPI\b/],
    ]
      .filter(([, pattern]) => !headings.some((h) => (pattern as RegExp).test(h)))
      .map(([name]) => name);
    expect(missing, `README.md headings: ${headings.join(' | ')}`).toEqual([]);
    expect(readme).toMatch(new RegExp(`npm (install|i) [^\\n]*${pkg.name.replace('/', '\\/')}`));
    expect(readme, 'README.md links to the docs').toMatch(/\]\([^)]*(docs|api)[^)]*\)/i);
  });

  it('has a CHANGELOG.md written by changesets once a version was cut', () => {
    const changelog = readIfExists(root, 'CHANGELOG.md');
    if (changelog === null) {
      // Before the first `npm run version-packages` there is nothing to log yet.
      expect(existsSync(join(pkg.dir, 'CHANGELOG.md'))).toBe(false);
      return;
    }
    expect(changelog.startsWith(`# ${pkg.name}\n`)).toBe(true);
    expect(changelog).toContain(`## ${pkg.version}`);
  });

  it('declares what a user needs from package.json', () => {
    const m = pkg.manifest;
    expect(m.type).toBe('module');
    expect(m.exports).toBeTypeOf('object');
    expect(m.files, 'an allow-list of packed files').toEqual(expect.arrayContaining(['dist']));
    const raw = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['description', 'license', 'repository', 'engines'])
      expect(raw[field], field).toBeDefined();
  });

  it('installs no type packages in production: @types/* only as devDependencies or optional peers', () => {
    const raw = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const types = (deps: Record<string, string> | undefined) =>
      Object.keys(deps ?? {}).filter((name) => name.startsWith('@types/'));
    expect(types(raw.dependencies)).toEqual([]);
    const requiredPeers = types(raw.peerDependencies).filter(
      (name) => raw.peerDependenciesMeta?.[name]?.optional !== true,
    );
    expect(requiredPeers).toEqual([]);
  });
});
