import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../../vitest.shared.ts';

// One pack and one consumer install per run (globalSetup); the files share them. The
// consumer steps start servers, a bundler and a browser: on two cores, one file at a time
// keeps their deadlines honest.
export default defineConfig(
  sockkitTestConfig(import.meta.dirname, {
    globalSetup: ['./src/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  }),
);
