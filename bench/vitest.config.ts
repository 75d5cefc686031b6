import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../vitest.shared.ts';

// The smoke test starts server and load processes of its own: one file at a time, so the
// size check does not compete with them for the two cores.
export default defineConfig(
  sockkitTestConfig(import.meta.dirname, { fileParallelism: false, testTimeout: 60_000 }),
);
