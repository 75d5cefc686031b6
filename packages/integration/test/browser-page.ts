/**
 * A test page for headless Chromium: a script bundled by esbuild with @sockkit/* taken from
 * their sources (as the suites import them), served with an HTML shell on 127.0.0.1, an origin
 * of its own.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const sources = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Bundles `script` for the browser. Bare imports other than @sockkit/* resolve from
 * `resolveDir` (default: this package, which has the test-only dependencies).
 */
export async function bundlePage(
  script: string,
  resolveDir = fileURLToPath(new URL('..', import.meta.url)),
): Promise<string> {
  const result = await build({
    stdin: { contents: script, resolveDir, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'sockkit-sources',
        setup(b) {
          // `@sockkit/x/sub` is src/sub.ts or src/sub/index.ts; `@sockkit/x` is src/index.ts.
          b.onResolve({ filter: /^@sockkit\// }, (args) => {
            const [, name, sub] = /^@sockkit\/([^/]+)(?:\/(.+))?$/.exec(args.path)!;
            const file = sub ? join(sources, name!, 'src', `${sub}.ts`) : undefined;
            if (file && existsSync(file)) return { path: file };
            return { path: join(sources, name!, 'src', sub ? `${sub}/index.ts` : 'index.ts') };
          });
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

/** Serves an HTML page loading `script` as a module, on 127.0.0.1. */
export async function servePage(script: string): Promise<{ http: Server; origin: string }> {
  const http = createServer((request, response) => {
    if (request.url?.startsWith('/page.js')) {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}
