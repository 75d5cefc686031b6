/**
 * The browser bundles: each browser-facing package, as installed from its tarball, bundled by
 * esbuild for the browser with nothing external. Any import of a Node built-in (`node:*`,
 * `net`, `http`, ...) or of `ws` anywhere in the graph is recorded with its importer and
 * fails the check; the bundle must still export the package's API.
 */
import { builtinModules } from 'node:module';
import { build, type Plugin } from 'esbuild';
import { describe, expect, inject, it } from 'vitest';

const context = inject('packChecks');

/** Entry points users load in a browser; a package joins when it is public. */
const browserEntries = ['@sockkit/core', '@sockkit/client', '@sockkit/vue'].filter((name) =>
  context.packed.some((p) => p.name === name),
);

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Whether a bare import is Node-only: a built-in or the ws package. */
function nodeOnly(path: string): boolean {
  return path.startsWith('node:') || builtins.has(path) || builtins.has(path.split('/')[0] ?? '') || /^ws(\/|$)/.test(path);
}

describe.each(browserEntries)('%s in a browser bundle', (name) => {
  it('bundles for the browser with no Node built-ins and no ws', async () => {
    if (!context.consumerDir) throw new Error(`no consumer project: ${context.consumerError}`);
    if (!context.installed.includes(name)) throw new Error(`${name} not installed (not built): ${context.missingBuild}`);
    const hits: string[] = [];
    const guard: Plugin = {
      name: 'node-only-imports',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point' || !nodeOnly(args.path)) return undefined;
          hits.push(`${args.path} imported by ${args.importer}`);
          return { path: args.path, external: true };
        });
      },
    };
    const result = await build({
      stdin: { contents: `export * from '${name}';`, resolveDir: context.consumerDir, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [guard],
      absWorkingDir: context.consumerDir,
    });
    expect(hits).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /node_modules\/ws\//.test(path))).toEqual([]);
    // It bundled the tarball's files, not the monorepo's.
    const own = inputs.filter((path) => path.includes(`node_modules/${name}/`));
    expect(own.length).toBeGreaterThan(0);
    expect(inputs.filter((path) => path.includes('/packages/'))).toEqual([]);
    const output = Object.values(result.metafile.outputs)[0];
    expect(output?.exports.length ?? 0).toBeGreaterThan(0);
    if (name === '@sockkit/client') expect(output?.exports).toContain('createSockkitClient');
  });
});
