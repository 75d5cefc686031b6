import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../../vitest.shared.ts';

// happy-dom rather than jsdom: jsdom's current major needs Node 22, the repository supports 20.
export default defineConfig(
  sockkitTestConfig(import.meta.dirname, {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    setupFiles: ['test/setup.ts'],
  }),
);
