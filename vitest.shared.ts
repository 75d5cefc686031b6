/**
 * One vitest configuration for every sockkit package: `@sockkit/*` imports resolve to
 * sources (tests run without a build) and each run leaves a JSON report that
 * `scripts/test-summary.mjs` adds up into the single closing line CI reads.
 */
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/`, import.meta.url));

export function sockkitTestConfig(dir: string, overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return {
    resolve: {
      alias: [
        { find: /^@sockkit\/client\/node$/, replacement: `${pkg('client')}node.ts` },
        { find: /^@sockkit\/client\/shared$/, replacement: `${pkg('client')}shared-subscriptions.ts` },
        { find: /^@sockkit\/core\/protocol$/, replacement: `${pkg('core')}protocol/index.ts` },
        { find: /^@sockkit\/react\/query$/, replacement: `${pkg('react')}query/index.ts` },
        { find: /^@sockkit\/(core|server|client|redis|vue|react)$/, replacement: `${pkg('$1')}index.ts` },
        { find: /^@sockkit\/testing$/, replacement: `${pkg('testing')}index.ts` },
      ],
    },
    test: {
      root: dir,
      include: ['test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      // expect.poll waits for something that happens eventually (a presence join, a page
      // update). Its 1 s default is too short when CI runs browsers and servers on 2 busy cores.
      expect: { poll: { timeout: 10_000 } },
      ...overrides,
    },
  };
}
