/**
 * CPU a server spends on the superjson metadata of one message, next to parsing that message
 * (issue 12): the worst metadata each bound of SUPERJSON_DECODE_BUDGET accepts, a realistic
 * value or two, and the hostile shapes the budget refuses, each about 1 MiB. Not part of
 * `npm test`; run after `npm run build`:
 *   node bench/codec-cpu.mjs            all cases
 *   node bench/codec-cpu.mjs --no-raw   skip the unchecked superjson runs (they take seconds)
 * Columns, in ms of CPU (best of 5): JSON.parse of the frame; the budget check
 * (superjsonMetaIssue); the codec's decode (superjson in place), and superjson with the copy
 * it makes without `inPlace`. For refused shapes, `unchecked` is what superjson would have
 * spent had nothing checked (wall time in a worker, stopped at 10 s).
 */
import { Worker } from 'node:worker_threads';
import { SUPERJSON_DECODE_BUDGET as BUDGET, superjsonCodec, superjsonMetaIssue } from '@sockkit/core';
import SuperJSON from 'superjson';

const RUNS = 5;
const UNCHECKED_LIMIT_MS = 10_000;
const raw = !process.argv.includes('--no-raw');

const range = (n) => Array.from({ length: n }, (_, i) => i);
const keyed = (keys, f) => Object.fromEntries(keys.map((k, i) => [k, f(i)]));
const nested = (depth, leaf) => (depth === 0 ? leaf : { x: nested(depth - 1, leaf) });
const fromCodec = (value) => {
  const { json, meta } = superjsonCodec.encode(value);
  return { d: JSON.parse(json), m: JSON.parse(meta) };
};

/** superjson as the codec configures it, decoding with its deep copy (the codec no longer does). */
const copying = new SuperJSON();
copying.registerCustom(
  {
    isApplicable: (v) => v instanceof Uint8Array,
    serialize: (v) => Buffer.from(v).toString('base64'),
    deserialize: (v) => new Uint8Array(Buffer.from(v, 'base64')),
  },
  'u8',
);

/** @type {[string, () => { d: unknown, m: unknown }][]} */
const accepted = [
  ['10,000 Dates in an array', () => fromCodec(range(10_000).map((i) => new Date(i)))],
  ['Set of 3,000 Dates', () => fromCodec(new Set(range(3000).map((i) => new Date(i))))],
  [
    '12,000 plain rows and one Date (the copy is what costs)',
    () =>
      fromCodec({
        at: new Date(0),
        rows: range(12_000).map((i) => ({ id: i, name: `row${i}`, tags: ['a', 'b'] })),
      }),
  ],
  [
    `max annotations: ${BUDGET.maxAnnotations} undefined`,
    () => fromCodec(range(BUDGET.maxAnnotations).map(() => undefined)),
  ],
  [
    `max segments: ${Math.floor(BUDGET.maxTotalPathSegments / 10) - 1} paths of 10 under a Set`,
    () => {
      const n = Math.floor(BUDGET.maxTotalPathSegments / 10) - 1;
      const key = Array(9).fill('x').join('.');
      return {
        d: nested(
          9,
          range(n).map(() => null),
        ),
        m: { values: { [key]: ['set', keyed(range(n).map(String), () => ['undefined'])] }, v: 1 },
      };
    },
  ],
  [
    `max segments: ${Math.floor(BUDGET.maxTotalPathSegments / BUDGET.maxPathSegments) - 1} paths of 64 under a Set`,
    () => {
      const depth = BUDGET.maxPathSegments - 1;
      const n = Math.floor((BUDGET.maxTotalPathSegments - depth) / BUDGET.maxPathSegments);
      const key = Array(depth).fill('x').join('.');
      return {
        d: nested(
          depth,
          range(n).map(() => null),
        ),
        m: { values: { [key]: ['set', keyed(range(n).map(String), () => ['undefined'])] }, v: 1 },
      };
    },
  ],
  [
    'max Set steps: 2,000 objects in a Set and an array',
    () => fromCodec(((s) => ({ set: new Set(s), list: s }))(range(2000).map((id) => ({ id })))),
  ],
  [
    'max Set steps: 20 paths to index 99,999 of a Set',
    () => ({
      d: { s: range(100_000), o: {} },
      m: { values: { s: ['set'] }, referentialEqualities: { o: range(20).map(() => 's.99999') }, v: 1 },
    }),
  ],
  [
    `max BigInt: ${Math.floor(1_000_000 / BUDGET.maxBigIntChars)} of ${BUDGET.maxBigIntChars} chars`,
    () => fromCodec(range(Math.floor(1_000_000 / BUDGET.maxBigIntChars)).map(() => BigInt('7'.repeat(4096)))),
  ],
  [
    'all bounds at once',
    () => {
      const n = 9_000;
      const key = Array(9).fill('x').join('.');
      const bigints = range(40).map(() => '7'.repeat(BUDGET.maxBigIntChars));
      return {
        d: {
          a: nested(
            9,
            range(n).map(() => null),
          ),
          s: range(50_000),
          o: {},
          b: bigints,
        },
        m: {
          values: {
            [`a.${key}`]: ['set', keyed(range(n).map(String), () => ['undefined'])],
            s: ['set'],
            b: ['set', keyed(range(40).map(String), () => ['bigint'])],
          },
          referentialEqualities: { o: range(40).map(() => 's.49999') },
          v: 1,
        },
      };
    },
  ],
];

const longKey = (segments) => range(segments).join('.');
const shortKey = (segments) => Array(segments).fill('x').join('.');
/** @type {[string, () => { d: unknown, m: unknown }][]} */
const refused = [
  [
    "issue 12's frame: a key of 20,000 segments over 8,000 children",
    () => ({
      d: {},
      m: {
        values: {
          [shortKey(20_000)]: [
            'Date',
            keyed(
              range(8000).map((i) => `c${i}`),
              () => ['Date'],
            ),
          ],
        },
        v: 1,
      },
    }),
  ],
  [
    'long key, children to 1 MiB',
    () => ({
      d: {},
      m: {
        values: {
          [longKey(20_000)]: [
            'Date',
            keyed(
              range(40_000).map((i) => `c${i}`),
              () => ['undefined'],
            ),
          ],
        },
        v: 1,
      },
    }),
  ],
  [
    'wide tree: 45,000 annotations',
    () => ({
      d: range(45_000).map(() => null),
      m: { values: keyed(range(45_000).map(String), () => ['Date']), v: 1 },
    }),
  ],
  [
    '60,000 equality paths',
    () => ({
      d: { o: {}, a: range(60_000) },
      m: { referentialEqualities: { o: range(60_000).map((i) => `a.${i}`) }, v: 1 },
    }),
  ],
  [
    'equality paths deep into a Set',
    () => ({
      d: { s: range(100_000), o: {} },
      m: { values: { s: ['set'] }, referentialEqualities: { o: range(5000).map(() => 's.99999') }, v: 1 },
    }),
  ],
  [
    '1,000,000-digit BigInt',
    () => ({ d: { n: '7'.repeat(1_000_000) }, m: { values: { n: ['bigint'] }, v: 1 } }),
  ],
  [
    'keys under a Set already restored',
    () => ({
      d: { a: range(100_000) },
      m: {
        values: {
          a: ['set'],
          ...keyed(
            range(5000).map((i) => `a.${99_999 - i}`),
            () => ['Date'],
          ),
        },
        v: 1,
      },
    }),
  ],
];

/** Best CPU time of `runs` calls of `fn(prepare())`, `prepare` untimed. */
function cpu(prepare, fn, runs = RUNS) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const input = prepare();
    const t0 = process.cpuUsage();
    fn(input);
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

/** superjson without any check, in a worker that is stopped at the limit. */
function unchecked(frame) {
  return new Promise((resolve) => {
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import('superjson').then(({ default: SuperJSON }) => {
         const f = JSON.parse(workerData);
         const t0 = performance.now();
         try { new SuperJSON().deserialize({ json: f.d, meta: f.m }, { inPlace: true }); } catch {}
         parentPort.postMessage(performance.now() - t0);
       });`,
      { eval: true, workerData: frame },
    );
    const timer = setTimeout(
      () => worker.terminate().then(() => resolve(`> ${UNCHECKED_LIMIT_MS}`)),
      UNCHECKED_LIMIT_MS,
    );
    worker.once('message', (ms) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(ms.toFixed(1));
    });
  });
}

const fmt = (ms) => ms.toFixed(2).padStart(8);
const row = (cells) => `| ${cells.join(' | ')} |`;

console.log(`node ${process.version}, ${new Date().toISOString()}; CPU ms, best of ${RUNS}\n`);
console.log(row(['accepted', 'KiB', 'JSON.parse', 'check', 'decode', 'decode+copy', 'decode/parse']));
console.log(row(['---', '--:', '--:', '--:', '--:', '--:', '--:']));
for (const [name, make] of accepted) {
  const frame = JSON.stringify({ t: 'call', id: 1, p: 'x', ...make() });
  const parse = () => JSON.parse(frame);
  const issue = superjsonMetaIssue(parse().m, parse().d);
  if (issue) throw new Error(`${name}: refused (${issue})`);
  const tParse = cpu(() => frame, JSON.parse);
  const tCheck = cpu(parse, (f) => superjsonMetaIssue(f.m, f.d));
  const tDecode = cpu(parse, (f) => superjsonCodec.decode(f.d, f.m));
  const tCopy = cpu(parse, (f) => copying.deserialize({ json: f.d, meta: f.m }));
  const kib = (Buffer.byteLength(frame) / 1024).toFixed(0);
  console.log(
    row([name, kib, fmt(tParse), fmt(tCheck), fmt(tDecode), fmt(tCopy), (tDecode / tParse).toFixed(1)]),
  );
}

console.log(`\n${row(['refused', 'KiB', 'JSON.parse', 'check', 'unchecked superjson (wall)', 'reason'])}`);
console.log(row(['---', '--:', '--:', '--:', '--:', '---']));
for (const [name, make] of refused) {
  const frame = JSON.stringify({ t: 'call', id: 1, p: 'x', ...make() });
  const parse = () => JSON.parse(frame);
  const issue = superjsonMetaIssue(parse().m, parse().d);
  if (!issue) throw new Error(`${name}: accepted`);
  const tParse = cpu(() => frame, JSON.parse);
  const tCheck = cpu(parse, (f) => superjsonMetaIssue(f.m, f.d));
  const kib = (Buffer.byteLength(frame) / 1024).toFixed(0);
  const slow = raw ? await unchecked(frame) : 'skipped';
  console.log(row([name, kib, fmt(tParse), fmt(tCheck), slow, issue]));
}
