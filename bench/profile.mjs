/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): self time per function and per package.
 *   node profile.mjs <file-or-dir.cpuprofile> [--top 25]
 * `npm run bench -- --profile --peers sockkit --workloads w2,w3 --reps 1` writes the profiles of
 * the server and load processes to results/profiles/<peer>-<workload>/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} ProfileNode
 * @property {number} id
 * @property {{ functionName: string, url: string, lineNumber: number }} callFrame
 */

/**
 * Where a script belongs: an npm package, a sockkit package, Node itself or V8.
 * @param {string} url
 */
export function ownerOf(url) {
  if (url === '') return '(native/v8)';
  if (url.startsWith('node:')) return 'node';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg !== undefined && !pkg.startsWith('@sockkit/')) return pkg;
  const own = /\/packages\/([^/]+)\//.exec(url)?.[1];
  if (own !== undefined) return `@sockkit/${own}`;
  if (url.includes('/bench/')) return 'bench';
  return url;
}

/**
 * Self time in ms per function and per owner, highest first.
 * @param {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} profile
 */
export function selfTimes(profile) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const fns = new Map();
  /** @type {Map<string, number>} */
  const owners = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    const owner = ownerOf(url);
    const key = `${functionName || '(anonymous)'} ${owner}${url ? `:${url.split('/').pop()}:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    total += ms;
  }
  const sorted = (/** @type {Map<string, number>} */ m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { total, functions: sorted(fns), owners: sorted(owners) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 25;
  if (target === undefined) throw new Error('usage: node profile.mjs <file-or-dir> [--top N]');
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(target, f))
    : [target];
  for (const file of files) {
    const { total, functions, owners } = selfTimes(JSON.parse(readFileSync(file, 'utf8')));
    const pct = (/** @type {number} */ ms) => `${((ms / total) * 100).toFixed(1)}%`;
    process.stdout.write(
      `\n## ${file}\nbusy ${total.toFixed(0)} ms (idle and (program) excluded)\n\nby owner:\n`,
    );
    for (const [owner, ms] of owners.slice(0, 12))
      process.stdout.write(`  ${pct(ms).padStart(6)}  ${owner}\n`);
    process.stdout.write('top self time:\n');
    for (const [fn, ms] of functions.slice(0, top)) process.stdout.write(`  ${pct(ms).padStart(6)}  ${fn}\n`);
  }
}
