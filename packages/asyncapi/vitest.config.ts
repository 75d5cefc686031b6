import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../../vitest.shared.ts';

// @asyncapi/parser (Spectral) takes seconds per document, and the CLI tests start Node and
// esbuild per case: on 2 busy cores that is more than the shared 20 s.
export default defineConfig(sockkitTestConfig(import.meta.dirname, { testTimeout: 180_000 }));
