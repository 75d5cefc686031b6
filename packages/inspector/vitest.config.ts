import { defineConfig } from 'vitest/config';
import { sockkitTestConfig } from '../../vitest.shared.ts';

export default defineConfig(sockkitTestConfig(import.meta.dirname));
