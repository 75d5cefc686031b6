/**
 * Turns the TypeScript and Vue blocks of Markdown files into the source files they stand for,
 * by the convention in docs/README.md:
 *
 * - a block is its own module (`block-<line>.ts`), unless its first line names a file
 *   (`// contract.ts`, `// examples/chat/src/server.ts`, `<!-- src/web/App.vue -->`): then it is
 *   that file, relative to its Markdown's own directory of blocks, and later blocks of the same
 *   Markdown import it (`./contract.js`). Several blocks naming one file are its parts, in
 *   order, joined by one blank line;
 * - the modules in docs/examples/ (typed stand-ins for an app's own parts, the contract the
 *   package READMEs share) sit beside every Markdown's blocks, unless a block names the file;
 * - a named file that exists in the repository (or in docs/examples/) must be exactly what the
 *   blocks say, so the docs cannot drift from the code they show.
 *
 * Every line of every file keeps where it came from, for reporting.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { blockFileName, type CodeBlock, codeBlocks } from './markdown.js';

const EXTENSIONS = new Map<string, 'ts' | 'tsx' | 'vue'>([
  ['ts', 'ts'],
  ['typescript', 'ts'],
  ['tsx', 'tsx'],
  ['vue', 'vue'],
]);

/** The extension of the file a block in fence language `lang` becomes, if blocks in it are compiled. */
export function compiledExtension(lang: string): 'ts' | 'tsx' | 'vue' | undefined {
  return EXTENSIONS.get(lang.toLowerCase());
}

/** Where a line of an assembled file came from. */
export interface Origin {
  /** Markdown (or stand-in) file, relative to the repository root. */
  readonly file: string;
  /** 1-based line in it. */
  readonly line: number;
}

/** One source file made of blocks (or a stand-in). */
export interface AssembledFile {
  /** The Markdown whose directory of blocks holds it. */
  readonly markdown: string;
  /** Path within that directory. */
  readonly path: string;
  /** The name the blocks gave it, if any. */
  readonly named: boolean;
  readonly text: string;
  /** `origins[i]` is where line i + 1 came from. */
  readonly origins: readonly Origin[];
}

/** A named file whose blocks differ from the real file of that name. */
export interface Drift {
  readonly markdown: string;
  readonly name: string;
  /** The real file, relative to the repository root. */
  readonly real: string;
  /** The first differing line, 1-based, in the real file, and where the blocks have it. */
  readonly line: number;
  readonly at: Origin | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
}

const SKIPPED_DIRS = new Set(['.git', '.turbo', 'node_modules', 'dist', 'test-artifacts', 'results']);

/**
 * The Markdown files whose blocks are checked: every README.md, and every Markdown file under
 * docs/ (but the generated docs/api/), relative to `root`, sorted.
 */
export function markdownFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || rel === join('docs', 'api')) continue;
        walk(path);
      } else if (entry.name === 'README.md' || (rel.startsWith('docs/') && entry.name.endsWith('.md'))) {
        found.push(rel);
      }
    }
  };
  walk(root);
  return found.sort();
}

/** The compiled blocks of one Markdown file. */
export function compiledBlocks(root: string, markdown: string): CodeBlock[] {
  return codeBlocks(markdown, readFileSync(join(root, markdown), 'utf8')).filter(
    (block) => compiledExtension(block.lang) !== undefined,
  );
}

/** The source files one Markdown's blocks stand for, with the stand-ins beside them. */
export function assemble(root: string, markdown: string, standIns: string): AssembledFile[] {
  const files = new Map<string, { named: boolean; parts: { text: string; origins: Origin[] }[] }>();
  for (const block of codeBlocks(markdown, readFileSync(join(root, markdown), 'utf8'))) {
    const ext = compiledExtension(block.lang);
    const name = blockFileName(block);
    if (ext === undefined && name === undefined) continue;
    const lines = block.text.split('\n');
    // A named block drops its name line; line k of what remains is Markdown line block.line + k.
    const kept = name === undefined ? lines : lines.slice(1);
    const first = name === undefined ? block.line : block.line + 1;
    const path = name ?? `block-${block.line}.${ext}`;
    const file = files.get(path) ?? { named: name !== undefined, parts: [] };
    file.parts.push({
      text: kept.join('\n'),
      origins: kept.map((_, i) => ({ file: markdown, line: first + i })),
    });
    files.set(path, file);
  }
  const assembled: AssembledFile[] = [];
  for (const [path, { named, parts }] of files) {
    if (!/\.(tsx?|vue)$/.test(path)) continue; // named html, json…: checked against the real file only
    const origins: Origin[] = [];
    parts.forEach((part, i) => {
      if (i > 0) origins.push(part.origins[0] ?? { file: markdown, line: 0 }); // the blank joining line
      origins.push(...part.origins);
    });
    assembled.push({ markdown, path, named, text: joinParts(parts.map((part) => part.text)), origins });
  }
  for (const name of readdirSync(standIns)) {
    if (!name.endsWith('.ts') || files.has(name)) continue;
    const text = readFileSync(join(standIns, name), 'utf8');
    const file = relative(root, join(standIns, name));
    assembled.push({
      markdown,
      path: name,
      named: false,
      text,
      origins: text.split('\n').map((_, i) => ({ file, line: i + 1 })),
    });
  }
  return assembled;
}

/** Parts of one file as it is written: one blank line between parts, a newline at the end. */
function joinParts(parts: string[]): string {
  return `${parts.join('\n\n')}\n`;
}

/**
 * The named files of a Markdown whose blocks differ from the real file: the repository's file
 * of that path, else the stand-in of that name. Works for any language (html too).
 */
export function drifts(root: string, markdown: string, standIns: string): Drift[] {
  const parts = new Map<string, { text: string; origins: Origin[] }[]>();
  for (const block of codeBlocks(markdown, readFileSync(join(root, markdown), 'utf8'))) {
    const name = blockFileName(block);
    if (name === undefined) continue;
    const kept = block.text.split('\n').slice(1);
    const list = parts.get(name) ?? [];
    list.push({
      text: kept.join('\n'),
      origins: kept.map((_, i) => ({ file: markdown, line: block.line + 1 + i })),
    });
    parts.set(name, list);
  }
  const found: Drift[] = [];
  for (const [name, list] of parts) {
    const real = [join(root, name), join(standIns, name)].find((path) => existsSync(path));
    if (real === undefined) continue;
    const shown = joinParts(list.map((part) => part.text)).split('\n');
    const origins: (Origin | undefined)[] = [];
    list.forEach((part, i) => {
      if (i > 0) origins.push(undefined);
      origins.push(...part.origins);
    });
    const actual = readFileSync(real, 'utf8').split('\n');
    const line = firstDifference(actual, shown);
    if (line === undefined) continue;
    found.push({
      markdown,
      name,
      real: relative(root, real),
      line: line + 1,
      at: origins[line],
      expected: actual[line],
      actual: shown[line],
    });
  }
  return found;
}

function firstDifference(a: string[], b: string[]): number | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return undefined;
}

/** The names the blocks of a Markdown give, in order of first appearance. */
export function namedFiles(root: string, markdown: string): string[] {
  const names = codeBlocks(markdown, readFileSync(join(root, markdown), 'utf8')).map(blockFileName);
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}
