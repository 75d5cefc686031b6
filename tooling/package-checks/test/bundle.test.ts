/**
 * The browser bundles: each browser-facing package, as installed from its tarball, bundled by
 * esbuild for the browser with nothing external. Any import of a Node built-in (`node:*`,
 * `net`, `http`, ...) or of `ws` anywhere in the graph fails the check, naming its importer;
 * the bundle must come from the tarball and still export the package's API. The guard itself
 * is shown to trip on the Node entry points.
 */
import { describe, expect, inject, it } from 'vitest';
import { bundleForBrowser } from '../src/bundle.ts';

const context = inject('packChecks');

/** Entry points users load in a browser; a package joins when it is public. */
const browserEntries = [
  '@sockkit/core',
  '@sockkit/client',
  '@sockkit/client/shared',
  '@sockkit/vue',
  '@sockkit/react',
  '@sockkit/react/query',
].filter((name) => context.packed.some((p) => p.name === packageOf(name)));

/** The package a specifier is in: `@sockkit/react/query` is in `@sockkit/react`. */
function packageOf(specifier: string): string {
  return specifier.split('/').slice(0, 2).join('/');
}

function consumer(name: string): string {
  if (!context.consumerDir) throw new Error(`no consumer project: ${context.consumerError}`);
  if (!context.installed.includes(name))
    throw new Error(`${name} not installed (not built): ${context.missingBuild}`);
  return context.consumerDir;
}

describe.each(browserEntries)('%s in a browser bundle', (name) => {
  it('bundles for the browser with no Node built-ins and no ws', async () => {
    const { nodeImports, metafile } = await bundleForBrowser(name, consumer(packageOf(name)));
    expect(nodeImports).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((path) => /node_modules\/ws\//.test(path))).toEqual([]);
    // It bundled the tarball's files, not the monorepo's.
    expect(
      inputs.filter((path) => path.startsWith(`node_modules/${packageOf(name)}/`)).length,
    ).toBeGreaterThan(0);
    expect(inputs.filter((path) => path.includes('/packages/'))).toEqual([]);
    const output = Object.values(metafile.outputs)[0];
    expect(output?.exports.length ?? 0).toBeGreaterThan(0);
    if (name === '@sockkit/client') expect(output?.exports).toContain('createSockkitClient');
  });
});

describe('the guard', () => {
  it.each(['@sockkit/client/node', '@sockkit/server'])(
    'reports the Node-only imports of %s',
    async (name) => {
      const { nodeImports } = await bundleForBrowser(name, consumer(packageOf(name)));
      expect(nodeImports.some((line) => /^(ws|node:\w+|http|net|events) imported by /.test(line))).toBe(true);
    },
  );
});
