/**
 * What a browser app ships for a client library: an entry importing what an app imports, bundled
 * by esbuild for the browser (minified, ESM), then gzip -9. Nothing is left out for sockkit: the
 * client checks envelopes without zod, so zod must not appear; superjson is counted because
 * @sockkit/core depends on it.
 *   node size.mjs          sockkit only, fails above the budget
 *   node size.mjs --all    sockkit and the reference clients, as a markdown table
 *   (--readme also writes that table into README.md; --inputs lists bytes per package)
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { replaceSection } from './lib/readme.mjs';

/** The budget for @sockkit/client + @sockkit/core, gzipped, in bytes (10 kB): issue 6's target, not met yet. */
export const BUDGET_BYTES = 10_000;

/**
 * What `npm test` enforces until the client fits the budget, so that growth fails the tests
 * while the budget is open work: 12.6 kB measured once the client checked every server message
 * by hand and split its batches (before, 11.9 kB excluding the zod it needed at run time, 39.8
 * kB including it); 13.0 kB with what came after (refusals that end reconnecting, history on
 * join), which leaves nothing: the next feature must pay for itself (issue 14). 13.1 kB (13,105
 * B) once the client worked from the contract's type alone (lazily built namespaces, optional
 * parts, the `procedures` option): this entry imports `createSockkitClient`, the full client. What apps ship is measured
 * from real Vite builds by app-size.mjs, whose guard is the one that matters for issue 14.
 * Streams (issue 16) cost 1,157 bytes; the shared timeout timer and id table of pending calls
 * (issue 18) about 400, the opt-in call tracer hook (issue 17) 61: 14,790 B measured the full
 * client with all three. Streams then became an opt-in part (the `streams` export, not imported
 * here), internal classes took `#private` fields and the client stopped bundling the whole
 * close-code table: 13,465 B. Requests sent behind `hello` (protocol v2, issue 18) added 150 B:
 * 13,615 B, and GUARD_BYTES is that plus 15 B. A client allocating less per connection
 * (issue 18) added 101 B: 13,716 B. `hello` and the first requests in one frame (issue 18) and a
 * subscription that keeps its offset when a confirmation is behind it (a fuzzed-frame finding)
 * added 33 B: 13,749 B. The subscriptions part, the server-call table and the stream table made
 * on first use (issue 18: 814 B less retained per client) added 31 B: 13,780 B. The namespaces,
 * the call server and the streams part made on first use too, and namespaces on plain objects
 * (issue 18: about 1.6 kB less retained per client, about 4% fewer instructions per connect in
 * W5f's load process) added 100 B: 13,880 B, and GUARD_BYTES is that figure.
 */
export const GUARD_BYTES = 13_880;

/**
 * @typedef {object} Entry
 * @property {string} name
 * @property {string} code the app's imports
 * @property {string[]} external packages not counted
 */

/** @type {Entry[]} */
export const SOCKKIT = [
  {
    name: '@sockkit/client + @sockkit/core (what an app imports)',
    code: `export { createSockkitClient } from '@sockkit/client';\nexport { defineContract } from '@sockkit/core';`,
    external: [],
  },
  {
    name: '@sockkit/client + @sockkit/core (every export)',
    code: `export * from '@sockkit/client';\nexport * from '@sockkit/core';`,
    external: [],
  },
];

/** @type {Entry[]} */
export const REFERENCES = [
  { name: 'socket.io-client', code: `export { io } from 'socket.io-client';`, external: [] },
  {
    name: '@trpc/client with wsLink (superjson excluded)',
    code: `export { createTRPCClient, createWSClient, wsLink } from '@trpc/client';`,
    external: ['superjson'],
  },
  { name: 'superjson alone', code: `export { default } from 'superjson';`, external: [] },
];

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Bundles one entry and returns its minified and gzipped sizes in bytes.
 * @param {Entry} entry
 * @returns {Promise<{ name: string, minified: number, gzipped: number, inputs: Record<string, number> }>}
 */
export async function measure(entry) {
  const result = await build({
    stdin: { contents: entry.code, resolveDir: here, sourcefile: 'entry.mjs', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: entry.external,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  /** @type {Record<string, number>} */
  const inputs = {};
  for (const [path, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 3).join('/');
    inputs[pkg] = (inputs[pkg] ?? 0) + info.bytesInOutput;
  }
  return { name: entry.name, minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, inputs };
}

/** @param {number} bytes */
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entries = process.argv.includes('--all') ? [...SOCKKIT, ...REFERENCES] : SOCKKIT;
  const rows = [];
  let failed = false;
  process.stdout.write('| bundle | minified | min + gzip -9 |\n|---|---:|---:|\n');
  for (const entry of entries) {
    try {
      const r = await measure(entry);
      rows.push(r);
      process.stdout.write(`| ${r.name} | ${kB(r.minified)} | ${kB(r.gzipped)} |\n`);
      if (entry === SOCKKIT[0] && r.gzipped > BUDGET_BYTES) {
        process.stdout.write(`over the ${kB(BUDGET_BYTES)} budget\n`);
        failed = true;
      }
    } catch (error) {
      process.stdout.write(`| ${entry.name} | failed: ${String(error).split('\n')[0]} | |\n`);
      failed = true;
    }
  }
  if (process.argv.includes('--inputs')) {
    for (const r of rows) process.stdout.write(`${r.name}: ${JSON.stringify(r.inputs)}\n`);
  }
  if (process.argv.includes('--readme') && rows.length === entries.length) {
    replaceSection(
      'size',
      [
        '| bundle | minified | min + gzip -9 |',
        '|---|---:|---:|',
        ...rows.map((r) => `| ${r.name} | ${kB(r.minified)} | ${kB(r.gzipped)} |`),
      ].join('\n'),
    );
  }
  if (failed) process.exitCode = 1;
}
