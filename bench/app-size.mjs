/**
 * What an app ships, measured from a real Vite production build: the chat-like app in
 * app-size/ (a contract with a few procedures, a topic with presence, a client handler), with
 * and without the Vue composables, as a calls-only app, given the contract at run time, and on
 * the peers (socket.io-client; tRPC's wsLink + superjson); and a calls-only app that reads a
 * stream (the `streams` part). Each library's bytes are put in
 * chunks of their own (`manualChunks`), minified by Vite, then gzip -9 per chunk:
 *   sockkit = @sockkit/* + superjson (+ copy-anything) + the contract module;
 *   zod, vue, peer = the peer library (+ its superjson); app = the app's own code.
 *   node app-size.mjs            the table
 *   node app-size.mjs --readme   also writes it into README.md
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { replaceSection } from './lib/readme.mjs';

/** sockkit's share of the type-only chat app (with Vue or without), gzipped: issue 14's budget. */
export const APP_BUDGET_BYTES = 10_000;

/**
 * What `npm test` enforces while the budget is not met: the type-only chat app with Vue measured
 * 14.4 kB (14,4xx B) when this test came (README.md, App size: where the bytes are), so that
 * growth fails while the budget stays open work. 16.0 kB once streaming calls (issue 16, about
 * 1.2 kB: the full client ships them whether the app streams or not) and the pending-call table
 * (issue 18, about 0.4 kB) came. 14,908 B once streams became an opt-in part (the `streams`
 * option: 0.85 kB out of this app, which does not stream), the client's internal classes took
 * `#private` fields (0.1 kB) and the client stopped bundling the whole close-code table
 * (0.24 kB), less the 48 B of useStream's error for a client without streams; the guard is that
 * figure plus 12 B, so that real growth fails. 15,039 B with requests sent behind `hello`
 * (protocol v2, issue 18: 131 B); the guard is that plus 11 B. 15,698 B once hooks on one channel
 * share one subscription (`@sockkit/client/shared`: the registry, history kept for late hooks,
 * the presence owner; 659 B over 15,039), and the guard is that figure. 15,793 B once a client
 * allocates less per connection (issue 18: shared namespace handler, backoff reset by timestamp,
 * tables made on first use, the last good URL kept; 95 B for 3–5% more W5f connects/s). 15,820 B
 * with `hello` and the first requests in one frame and the subscription offset guard (27 B);
 * 15,850 B with the client's parts made on first use (30 B for 814 B less retained per client);
 * 15,958 B with its namespaces, call server and streams part made on first use as well (108 B
 * for about 1.6 kB less retained per client), and the guard is that figure.
 */
export const APP_GUARD_BYTES = 15_958;

/** The apps: entry file and which chunk's bytes are "the library" for the peers. */
export const APPS = [
  { name: 'sockkit, type-only, Vue composables', entry: 'chat-vue.ts' },
  { name: 'sockkit, type-only, no Vue', entry: 'chat.ts' },
  { name: 'sockkit, calls-only client', entry: 'calls.ts' },
  { name: 'sockkit, calls-only client + streams part', entry: 'streams.ts' },
  { name: 'sockkit, contract at run time, no Vue', entry: 'chat-contract.ts' },
  { name: 'socket.io-client, no Vue', entry: 'socketio.ts' },
  { name: 'tRPC wsLink + superjson, no Vue', entry: 'trpc.ts' },
];

const root = fileURLToPath(new URL('./app-size/', import.meta.url));

/**
 * The chunks bytes count toward, by module path. Rolldown pulls a group's dependencies into it,
 * so libraries that sockkit imports (vue, superjson) rank above it and keep their own chunks.
 */
const GROUPS = [
  { name: 'superjson', test: /node_modules[\\/](?:superjson|copy-anything|is-what)[\\/]/, priority: 6 },
  { name: 'zod', test: /node_modules[\\/]zod[\\/]/, priority: 5 },
  { name: 'vue', test: /node_modules[\\/](?:vue|@vue)[\\/]/, priority: 4 },
  { name: 'contract', test: /app-size[\\/]contract\.ts$/, priority: 3 },
  {
    name: 'sockkit',
    test: /[\\/](?:packages[\\/](?:core|client|vue)[\\/]dist|node_modules[\\/]@sockkit)[\\/]/,
    priority: 2,
  },
  { name: 'peer', test: /node_modules[\\/]/, priority: 1 },
];

/**
 * Builds one app and returns its gzipped bytes by chunk (and the total).
 * @param {string} entry
 * @returns {Promise<Record<string, number>>}
 */
export async function measureApp(entry) {
  return (await buildApp(entry)).sizes;
}

/**
 * Builds one app: gzipped bytes by chunk (and the total), and each chunk's code.
 * @param {string} entry
 * @returns {Promise<{ sizes: Record<string, number>, code: Record<string, string> }>}
 */
export async function buildApp(entry) {
  const outputs = await viteBuild(entry, { codeSplitting: { groups: GROUPS } });
  /** @type {Record<string, number>} */
  const sizes = { total: 0 };
  /** @type {Record<string, string>} */
  const code = {};
  for (const out of outputs) {
    if (out.type !== 'chunk') continue;
    const name = out.isEntry ? 'app' : out.name;
    const gz = gzipSync(out.code, { level: 9 }).length;
    sizes[name] = (sizes[name] ?? 0) + gz;
    sizes.total += gz;
    code[name] = (code[name] ?? '') + out.code;
  }
  return { sizes, code };
}

/**
 * Vite's production build of one app in app-size/, in memory: its output chunks and assets.
 * @param {string} entry
 * @param {object} output Rolldown output options
 * @param {boolean} [minify]
 * @returns {Promise<any[]>}
 */
export async function viteBuild(entry, output, minify = true) {
  const result = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    mode: 'production',
    // Vitest sets NODE_ENV=test; an app's production build has production.
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify,
      target: 'es2022',
      modulePreload: false,
      rolldownOptions: { input: `${root}${entry}`, output },
    },
  });
  return (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
}

/** sockkit's share: its packages, superjson and the contract module. */
export const sockkitShare = (s) => (s.sockkit ?? 0) + (s.superjson ?? 0) + (s.contract ?? 0);

/** The sockkit apps besides the chat ones. */
const SOCKKIT_ONLY = new Set(['calls.ts', 'streams.ts']);

const kB = (bytes) => (bytes ? `${(bytes / 1000).toFixed(1)} kB` : '0');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lines = [
    '| app (Vite 8 production build, gzip -9 per chunk) | sockkit share | superjson | contract module | zod | peer library (tRPC: with superjson) | vue | app code | total |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const app of APPS) {
    const s = await measureApp(app.entry);
    const peer = (s.peer ?? 0) + (app.entry === 'trpc.ts' ? (s.superjson ?? 0) : 0);
    const share = app.entry.startsWith('chat') || SOCKKIT_ONLY.has(app.entry) ? kB(sockkitShare(s)) : '–';
    lines.push(
      `| ${app.name} | ${share} | ${kB(s.superjson)} | ${kB(s.contract)} | ${kB(s.zod)} | ${kB(peer)} | ${kB(s.vue)} | ${kB(s.app)} | ${kB(s.total)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.argv.includes('--readme')) replaceSection('app-size', lines.join('\n'));
}
