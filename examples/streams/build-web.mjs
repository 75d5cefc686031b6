// Bundles the page's script for the browser; the server serves dist/web.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: ['src/web/page.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  outfile: 'dist/web/page.js',
  logLevel: 'warning',
});
copyFileSync('src/web/index.html', 'dist/web/index.html');
