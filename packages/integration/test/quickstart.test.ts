import { expect, it } from 'vitest';
import { quickstart } from '../examples/quickstart.js';

it("the README's quick start runs as written", async () => {
  await expect(quickstart()).resolves.toEqual(['hello Ada', 'hi all']);
});
