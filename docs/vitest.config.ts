import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../vitest.shared.ts';

// One vue-tsc run over every block takes a few seconds, more on two busy cores.
export default defineConfig(
  sockkitTestConfig(import.meta.dirname, { testTimeout: 180_000, hookTimeout: 180_000 }),
);
