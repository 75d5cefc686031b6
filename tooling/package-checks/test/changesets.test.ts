/**
 * Releasing: the changesets configuration says what the release README promises, and the
 * root `version-packages` script, run on a scratch copy of the repository with a sample
 * changeset, moves versions, CHANGELOG entries and package-lock.json together. Nothing is
 * published: `changeset publish` appears only in the root `release` script, never in CI.
 */
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type Manifest, publicPackages, readJson, repoRoot } from '../src/packages.ts';
import { cleanEnv, describeRun, run } from '../src/run.ts';

const context = inject('packChecks');

interface ChangesetConfig {
  access: string;
  fixed: string[][];
  linked: string[][];
  ignore: string[];
  updateInternalDependencies: string;
  privatePackages?: { version?: boolean; tag?: boolean } | false;
  commit: boolean;
  baseBranch: string;
}

interface RootManifest {
  workspaces: string[];
  scripts: Record<string, string>;
}

interface Lockfile {
  packages: Record<string, { version?: string; link?: boolean; resolved?: string } & Record<string, unknown>>;
}

const config = readJson<ChangesetConfig>(join(repoRoot, '.changeset', 'config.json'));
const root = readJson<RootManifest>(join(repoRoot, 'package.json'));
const publicNames = publicPackages().map((p) => p.name);

/** Every workspace package: its path relative to the root and its manifest. */
function workspaces(dir: string): { path: string; manifest: Manifest }[] {
  const out: { path: string; manifest: Manifest }[] = [];
  for (const pattern of root.workspaces) {
    const paths = pattern.endsWith('/*')
      ? readdirSync(join(dir, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${pattern.slice(0, -2)}/${e.name}`)
      : [pattern];
    for (const path of paths) {
      const file = join(dir, path, 'package.json');
      if (existsSync(file)) out.push({ path, manifest: readJson<Manifest>(file) });
    }
  }
  return out;
}

function bumpMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${(minor ?? 0) + 1}.0`;
}

describe('changesets configuration', () => {
  it('publishes publicly and keeps private workspaces (apps, bench, tooling) unversioned', () => {
    expect(config.access).toBe('public');
    expect(config.commit).toBe(false);
    expect(config.updateInternalDependencies).toBe('patch');
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    for (const { manifest } of workspaces(repoRoot)) {
      if (!publicNames.includes(manifest.name)) {
        expect(manifest.private, `${manifest.name} is not published, so it must be private`).toBe(true);
      }
    }
  });

  it('versions core, server and client (and every other public package) as one fixed group', () => {
    const group = config.fixed.find((g) => g.includes('@sockkit/core'));
    expect(group).toEqual(expect.arrayContaining(['@sockkit/core', '@sockkit/server', '@sockkit/client']));
    expect(publicNames.filter((name) => !group?.includes(name))).toEqual([]);
    expect(
      new Set(publicNames.map((name) => publicPackages().find((p) => p.name === name)?.version)).size,
    ).toBe(1);
  });

  it('has the root scripts: changeset, version-packages (with the lockfile), release (checks, then publish)', () => {
    expect(root.scripts.changeset).toBe('changeset');
    expect(root.scripts['version-packages']).toMatch(
      /^changeset version && npm install --package-lock-only\b/,
    );
    const release = root.scripts.release ?? '';
    expect(release).toMatch(/npm run build/);
    expect(release).toMatch(/npm (run )?test/);
    expect(release).toMatch(/&& changeset publish$/);
  });

  it('never publishes from CI', () => {
    const ci = join(repoRoot, '.ci', 'run');
    const text = existsSync(ci) ? readFileSync(ci, 'utf8') : '';
    expect(text).not.toMatch(/changeset publish|npm publish|npm run release/);
  });
});

describe('npm run version-packages on a scratch copy', () => {
  const scratch = join(context.workDir, 'scratch-repo');
  const before = new Map<string, string>();
  let output = '';

  beforeAll(async () => {
    // Everything but installs, builds, caches and run data (changesets and npm read only manifests).
    const skip = new Set([
      'node_modules',
      '.git',
      'dist',
      '.turbo',
      '.vitest-report.json',
      'data',
      'test-artifacts',
      'results',
    ]);
    cpSync(repoRoot, scratch, { recursive: true, filter: (source) => !skip.has(basename(source)) });
    // The tools (changeset, its changelog generator) come from the monorepo's install.
    symlinkSync(join(repoRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    for (const { path, manifest } of workspaces(scratch)) before.set(path, manifest.version);
    writeFileSync(
      join(scratch, '.changeset', 'sample-release-check.md'),
      "---\n'@sockkit/core': minor\n---\n\nSample change from the release check.\n",
    );
    const bin = join(repoRoot, 'node_modules', '.bin');
    const env = cleanEnv({
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
      npm_config_prefer_offline: 'true',
    });
    const result = await run('npm', ['run', 'version-packages'], { cwd: scratch, timeoutMs: 180_000, env });
    output = describeRun(result);
    if (result.code !== 0) throw new Error(output);
  });

  it('consumed the changeset', () => {
    expect(existsSync(join(scratch, '.changeset', 'sample-release-check.md')), output).toBe(false);
  });

  it('bumped the fixed group together and left private packages alone', () => {
    for (const { path, manifest } of workspaces(scratch)) {
      const old = before.get(path) ?? '';
      if (publicNames.includes(manifest.name)) expect(manifest.version, manifest.name).toBe(bumpMinor(old));
      else expect(manifest.version, manifest.name).toBe(old);
    }
  });

  it('wrote a CHANGELOG entry for each bumped package', () => {
    for (const { path, manifest } of workspaces(scratch)) {
      if (!publicNames.includes(manifest.name)) continue;
      const changelog = readFileSync(join(scratch, path, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${manifest.name}\n`), manifest.name).toBe(true);
      expect(changelog).toContain(`## ${manifest.version}`);
      if (manifest.name === '@sockkit/core')
        expect(changelog).toContain('Sample change from the release check.');
    }
  });

  it('moved every internal dependency range to the new versions, private packages included', () => {
    const versions = new Map(workspaces(scratch).map(({ manifest }) => [manifest.name, manifest.version]));
    const stale: string[] = [];
    for (const { manifest } of workspaces(scratch)) {
      const m = manifest as Manifest & { devDependencies?: Record<string, string> };
      for (const deps of [m.dependencies, m.devDependencies, m.peerDependencies]) {
        for (const [name, range] of Object.entries(deps ?? {})) {
          const version = versions.get(name);
          if (
            version &&
            range !== '*' &&
            range !== version &&
            range !== `^${version}` &&
            range !== `~${version}`
          ) {
            stale.push(`${manifest.name} -> ${name}@${range} (workspace has ${version})`);
          }
        }
      }
    }
    expect(stale).toEqual([]);
  });

  it('refreshed package-lock.json to match: versions, ranges, and only workspace links', async () => {
    const lock = readJson<Lockfile>(join(scratch, 'package-lock.json'));
    for (const { path, manifest } of workspaces(scratch)) {
      const entry = lock.packages[path];
      expect(entry?.version, `lock entry for ${path}`).toBe(manifest.version);
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies'] as const) {
        const declared =
          (manifest as unknown as Record<string, Record<string, string> | undefined>)[field] ?? {};
        const locked = (entry?.[field] as Record<string, string> | undefined) ?? {};
        for (const [name, range] of Object.entries(declared)) {
          if (name.startsWith('@sockkit/')) expect(locked[name], `${path} ${field} ${name}`).toBe(range);
        }
      }
    }
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (/node_modules\/@sockkit\//.test(path))
        expect(entry.link, `${path} must link to the workspace`).toBe(true);
    }
    // npm itself agrees that the lockfile satisfies every package.json.
    const ls = await run('npm', ['ls', '--package-lock-only', '--all'], {
      cwd: scratch,
      timeoutMs: 60_000,
      env: cleanEnv(),
    });
    expect(ls.code, describeRun(ls)).toBe(0);
  });
});
