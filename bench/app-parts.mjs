/**
 * Where sockkit's share of one app (app-size/) goes, by part of the client: a Vite production
 * build without minification gives each module's rendered code (what the app keeps of it); each
 * part's modules are concatenated, minified by esbuild and gzipped (-9) together, each part
 * alone. Gzip shares strings across parts in the real chunk, so the parts add up to more than
 * app-size.mjs's figure for the same app.
 *   node app-parts.mjs [entry]     entry in app-size/, default chat.ts
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { transform } from 'esbuild';
import { viteBuild } from './app-size.mjs';

/** The parts, by module path; the first that matches takes a module. */
export const PARTS = [
  ['superjson + copy-anything', /node_modules[\\/](?:superjson|copy-anything|is-what)[\\/]/],
  [
    'connection state machine',
    /client[\\/]dist[\\/](?:client|environment|check-options|backoff|namespace|create)\.js$|core[\\/]dist[\\/](?:emitter|contract)\.js$/,
  ],
  [
    'subscriptions',
    /client[\\/]dist[\\/](?:channels|subscriptions|shared-subscriptions)\.js$|core[\\/]dist[\\/]presence\.js$/,
  ],
  ['requests', /client[\\/]dist[\\/]requests\.js$|core[\\/]dist[\\/](?:pending|id-table)\.js$/],
  ['frame builders and readers', /core[\\/]dist[\\/]protocol[\\/]/],
  ['codec fast path and base64', /core[\\/]dist[\\/]codec\.js$/],
  ['codes and errors', /core[\\/]dist[\\/](?:codes|errors)\.js$/],
  ['serving the server calls', /client[\\/]dist[\\/]serve\.js$|core[\\/]dist[\\/]validate\.js$/],
  ['streams', /client[\\/]dist[\\/]streams\.js$/],
  ['clock', /core[\\/]dist[\\/]clock\.js$/],
  ['vue composables', /vue[\\/]dist[\\/]/],
];

const SOCKKIT =
  /packages[\\/](?:core|client|vue)[\\/]dist|node_modules[\\/](?:@sockkit|superjson|copy-anything|is-what)[\\/]/;
/**
 * Gzipped bytes of each part of sockkit's share of one app, and the modules no part took.
 * @param {string} entry
 * @returns {Promise<{ parts: Record<string, number>, unassigned: string[] }>}
 */
export async function measureParts(entry) {
  const outputs = await viteBuild(entry, {}, false);
  /** @type {Record<string, string>} */
  const code = {};
  const unassigned = [];
  for (const out of outputs) {
    if (out.type !== 'chunk') continue;
    for (const [id, module] of Object.entries(out.modules)) {
      if (!SOCKKIT.test(id) || !module.code) continue;
      const part = PARTS.find(([, test]) => test.test(id));
      if (part) code[part[0]] = `${code[part[0]] ?? ''}${module.code}\n`;
      else unassigned.push(id);
    }
  }
  /** @type {Record<string, number>} */
  const parts = {};
  for (const [name, text] of Object.entries(code)) {
    const { code: minified } = await transform(text, { minify: true, format: 'esm' });
    parts[name] = gzipSync(minified, { level: 9 }).length;
  }
  return { parts, unassigned };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entry = process.argv[2] ?? 'chat.ts';
  const { parts, unassigned } = await measureParts(entry);
  process.stdout.write(`| part of ${entry} (gzip -9, each alone) | bytes |\n|---|---:|\n`);
  for (const [name, bytes] of Object.entries(parts).sort((a, b) => b[1] - a[1]))
    process.stdout.write(`| ${name} | ${bytes.toLocaleString('en')} |\n`);
  if (unassigned.length > 0) process.stdout.write(`not in any part: ${unassigned.join(', ')}\n`);
}
