/**
 * What must never be in a tarball, and a reader for what is: test files, build leftovers,
 * secrets, and source maps that point outside the package.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { runOk } from './run.ts';

/** Paths of test code, fixtures and build or tool leftovers. */
const unwanted: readonly [RegExp, string][] = [
  [/(^|\/)(test|tests|__tests__|__mocks__|fixtures?|e2e)\//, 'test directory'],
  [/\.(test|spec|bench)\.[^/]*$/, 'test file'],
  [/(^|\/)(vitest|vite|tsup|rollup|turbo)\.config\.[^/]*$/, 'tool config'],
  [/(^|\/)tsconfig[^/]*\.json$/, 'tsconfig'],
  [/\.tsbuildinfo$/, 'tsbuildinfo'],
  [/(^|\/)\.vitest-report\.json$/, 'test report'],
  [/(^|\/)\.turbo\//, 'turbo cache'],
  [/(^|\/)node_modules\//, 'node_modules'],
  [/\.tgz$/, 'tarball'],
];

/** File names that hold secrets. */
const secretNames: readonly [RegExp, string][] = [
  [/(^|\/)\.env(\.[^/]*)?$/, 'dotenv file'],
  [/(^|\/)\.npmrc$/, '.npmrc (may hold a registry token)'],
  [/\.(pem|key|p12|pfx|jks|keystore)$/, 'key material'],
  [/(^|\/)id_(rsa|ed25519|ecdsa|dsa)(\.pub)?$/, 'ssh key'],
  [/(^|\/)\.(git|svn|hg)\//, 'VCS metadata'],
];

/** Token formats that never belong in published text. */
const secretContents: readonly [RegExp, string][] = [
  [/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/, 'private key'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'npm token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, 'GitHub token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'AWS access key'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'Slack token'],
  [/\/\/\S*:_authToken=\S+/, 'registry auth token'],
];

/** Why a path should not be in the tarball, or null. */
export function unwantedReason(path: string): string | null {
  for (const [pattern, why] of [...unwanted, ...secretNames]) if (pattern.test(path)) return why;
  return null;
}

/** The secret formats found in a text, by name. */
export function secretsIn(text: string): string[] {
  return secretContents.filter(([pattern]) => pattern.test(text)).map(([, why]) => why);
}

/** Extracts a tarball into `dir` and returns the package root (`dir/package`). */
export async function extract(tarball: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await runOk('tar', ['-xzf', tarball, '-C', dir], { cwd: dir, timeoutMs: 60_000 });
  return join(dir, 'package');
}

/** Every file under `root`, as posix paths relative to it. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Problems with the source maps of an extracted package: a map whose `sources` resolve
 * outside the package or to files not shipped, and a `sourceMappingURL` naming a map that is
 * not shipped (bundlers warn about each one in the user's build).
 */
export function sourceMapProblems(root: string, files: readonly string[]): string[] {
  const shipped = new Set(files);
  const problems: string[] = [];
  for (const file of files) {
    if (file.endsWith('.map')) {
      const map = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
        sources?: string[];
        sourceRoot?: string;
      };
      for (const source of map.sources ?? []) {
        if (/^[a-z]+:/i.test(source)) {
          problems.push(`${file}: source ${source} is a URL, not a shipped file`);
          continue;
        }
        const resolved = posix.normalize(posix.join(posix.dirname(file), map.sourceRoot ?? '', source));
        if (resolved.startsWith('../') || posix.isAbsolute(resolved)) {
          problems.push(`${file}: source ${source} points outside the package (${resolved})`);
        } else if (!shipped.has(resolved)) {
          problems.push(`${file}: source ${source} -> ${resolved} is not in the tarball`);
        }
      }
    } else if (/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) {
      const text = readFileSync(join(root, file), 'utf8');
      const match = /[#@] sourceMappingURL=(\S+)\s*$/.exec(text);
      if (match?.[1] && !match[1].startsWith('data:')) {
        const target = posix.normalize(posix.join(posix.dirname(file), match[1]));
        if (!shipped.has(target))
          problems.push(`${file}: sourceMappingURL ${match[1]} is not in the tarball`);
      }
    }
  }
  return problems;
}

/** Reads a text file of an extracted package if it exists. */
export function readIfExists(root: string, file: string): string | null {
  const path = join(root, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}
