/**
 * Bundling for the browser: esbuild bundles a package as installed in a project, for the
 * browser, with nothing external, and records every import of a Node built-in (`node:*`,
 * `net`, `http`, ...) or of `ws` anywhere in the graph, with its importer.
 */
import { builtinModules } from 'node:module';
import { build, type Metafile, type Plugin } from 'esbuild';

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Whether a bare import is Node-only: a built-in or the ws package. */
export function nodeOnly(path: string): boolean {
  return (
    path.startsWith('node:') ||
    builtins.has(path) ||
    builtins.has(path.split('/')[0] ?? '') ||
    /^ws(\/|$)/.test(path)
  );
}

/** What bundling one specifier for the browser found. */
export interface BrowserBundle {
  /** `"<import> imported by <file>"` for each Node-only import. */
  readonly nodeImports: string[];
  readonly metafile: Metafile;
}

/** Bundles `export * from '<specifier>'`, resolved from `projectDir`, for the browser. */
export async function bundleForBrowser(specifier: string, projectDir: string): Promise<BrowserBundle> {
  const nodeImports: string[] = [];
  const guard: Plugin = {
    name: 'node-only-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !nodeOnly(args.path)) return undefined;
        nodeImports.push(`${args.path} imported by ${args.importer}`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    stdin: { contents: `export * from '${specifier}';`, resolveDir: projectDir, loader: 'js' },
    absWorkingDir: projectDir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [guard],
  });
  return { nodeImports, metafile: result.metafile };
}
