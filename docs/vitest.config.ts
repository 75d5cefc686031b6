import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../vitest.shared.ts';

// One vue-tsc run over every block takes a few seconds alone, and has taken over two minutes
// on two cores busy with the other suites (a CI run timed out at 120 s).
export default defineConfig(
  sockkitTestConfig(import.meta.dirname, { testTimeout: 480_000, hookTimeout: 480_000 }),
);
