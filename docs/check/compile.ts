/**
 * Compiles assembled blocks as a user's project would: written to a scratch directory whose
 * `node_modules` is the repository's (so `@sockkit/*` resolve to the built packages through
 * their `exports`, as installed), under the repository's strict `tsconfig.base.json`, with
 * vue-tsc (TypeScript plus Vue single-file components) in one run. Each Markdown file gets its
 * own directory, so its blocks and stand-ins never meet another file's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AssembledFile, Origin } from './project.js';

/** One compiler error, at the Markdown (or stand-in) line it came from. */
export interface BlockError {
  /** Where it came from. */
  readonly at: Origin;
  /** The Markdown whose blocks were being compiled. */
  readonly markdown: string;
  /** `TS2304: Cannot find name 'db'.` and any chained lines. */
  readonly message: string;
}

/** What one compile run found. */
export interface CompileResult {
  readonly errors: BlockError[];
  /** Compiler output that could not be read as a located error (a crash, a config error). */
  readonly unplaced: string[];
  /** How many files were compiled. */
  readonly files: number;
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/;

/** Compiles `files` (from any number of Markdown files) and maps every error back. */
export function compile(
  root: string,
  files: readonly AssembledFile[],
  options: { timeoutMs?: number } = {},
): CompileResult {
  const dir = mkdtempSync(join(tmpdir(), 'sockkit-docs-'));
  try {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          types: ['node'],
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          jsx: 'react-jsx',
        },
        include: ['**/*.ts', '**/*.tsx', '**/*.vue'],
        exclude: ['node_modules'],
      }),
    );
    const byPath = new Map<string, AssembledFile>();
    for (const file of files) {
      const path = join(file.markdown, file.path);
      byPath.set(path, file);
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), file.text);
    }
    const vueTsc = createRequire(join(root, 'package.json')).resolve('vue-tsc/bin/vue-tsc.js');
    const run = spawnSync(process.execPath, [vueTsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 420_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    if (run.error) throw run.error;
    const errors: BlockError[] = [];
    const unplaced: string[] = [];
    let last: { at: Origin; markdown: string; lines: string[] } | undefined;
    const flush = () => {
      if (last) errors.push({ at: last.at, markdown: last.markdown, message: last.lines.join('\n') });
      last = undefined;
    };
    for (const line of `${run.stdout}${run.stderr}`.split('\n')) {
      const hit = DIAGNOSTIC.exec(line);
      if (hit) {
        flush();
        const file = byPath.get(hit[1] ?? '');
        const at = file?.origins[Number(hit[2]) - 1];
        if (file && at) last = { at, markdown: file.markdown, lines: [hit[4] ?? ''] };
        else unplaced.push(line);
      } else if (last && /^\s/.test(line)) {
        last.lines.push(line.trim());
      } else if (line.trim() !== '') {
        flush();
        unplaced.push(line);
      }
    }
    flush();
    if (run.status !== 0 && errors.length === 0 && unplaced.length === 0) {
      unplaced.push(`vue-tsc exited with ${run.status ?? run.signal} and printed nothing`);
    }
    return { errors, unplaced, files: files.length };
  } finally {
    if (!process.env.SOCKKIT_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}

/** `path:line: message`, as editors link it. */
export function formatError(error: BlockError): string {
  const via = error.at.file === error.markdown ? '' : ` (in ${error.markdown}'s blocks)`;
  return `${error.at.file}:${error.at.line}: ${error.message}${via}`;
}
