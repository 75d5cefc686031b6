// Bundles the page (React and its script) for the browser; the server serves dist/web.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: ['src/web/main.tsx'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  // React's production build: its development one is several times larger.
  define: { 'process.env.NODE_ENV': '"production"' },
  minify: true,
  sourcemap: true,
  outfile: 'dist/web/main.js',
  logLevel: 'warning',
});
copyFileSync('src/web/index.html', 'dist/web/index.html');
