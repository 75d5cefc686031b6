/**
 * The size budget of what a browser app ships for @sockkit/client + @sockkit/core: minified,
 * gzip -9, zod excluded (peer), superjson included. Needs the packages built (turbo's `test`
 * depends on `^build`).
 */
import { expect, it } from 'vitest';
import { BUDGET_BYTES, measure, SOCKKIT } from '../size.mjs';

it(`client bundle stays within ${BUDGET_BYTES / 1000} kB gzipped`, async () => {
  const size = await measure(SOCKKIT[0]);
  expect(size.inputs).not.toHaveProperty('zod');
  expect(size.gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
});
