import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../../vitest.shared.ts';

// The suites start the built server as child processes, a Vite dev server and Chromium: on two
// cores, one file at a time.
export default defineConfig(sockkitTestConfig(import.meta.dirname, { fileParallelism: false }));
