/**
 * The scale run: sizes against the open-file limit, connections shared over load workers, the
 * report's tables, and `npm run bench -- --scale --quick` end to end at tiny sizes (10 and 20
 * subscribers, 20 and 40 idle connections, 1 and 4 connections), every point checked for
 * correctness by the run itself. Nothing about speed.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sizesWithin } from '../scale/config.mjs';
import { shares } from '../scale/points.mjs';
import { costGrowth, scaleMarkdown, scaleTargets } from '../scale/report.mjs';

const run = fileURLToPath(new URL('../run.mjs', import.meta.url));

describe('sizesWithin', () => {
  it('keeps every size when the limit allows', () => {
    expect(sizesWithin([1_000, 10_000, 50_000], Number.POSITIVE_INFINITY)).toEqual([
      { size: 1_000, fits: true },
      { size: 10_000, fits: true },
      { size: 50_000, fits: true },
    ]);
  });

  it('marks what the server cannot hold and adds the largest round size that fits', () => {
    expect(sizesWithin([1_000, 10_000, 50_000], 20_000)).toEqual([
      { size: 1_000, fits: true },
      { size: 10_000, fits: true },
      { size: 19_000, fits: true },
      { size: 50_000, fits: false },
    ]);
    // 50,000 connections need 50,500 files: one short is not enough.
    expect(sizesWithin([50_000], 50_500)).toEqual([{ size: 50_000, fits: true }]);
    expect(sizesWithin([50_000], 50_499)).toEqual([
      { size: 49_000, fits: true },
      { size: 50_000, fits: false },
    ]);
  });
});

describe('shares', () => {
  it('splits connections over workers evenly, losing none', () => {
    expect(shares(10_000, 2)).toEqual([5_000, 5_000]);
    expect(shares(50_000, 5)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(shares(19_000, 2)).toEqual([9_500, 9_500]);
    expect(shares(7, 3)).toEqual([3, 2, 2]);
  });
});

describe('scale report', () => {
  const point = (workload: string, peer: string, size: number, metrics: Record<string, number>) => ({
    workload,
    peer,
    size,
    ok: true,
    metrics,
    ms: 1,
  });
  const points = [
    point('w4', 'ws', 1_000, { heapPerConnBytes: 3_000, rssPerConnBytes: 10_000 }),
    point('w4', 'sockkit', 1_000, { heapPerConnBytes: 4_000, rssPerConnBytes: 11_000 }),
    point('w4', 'ws', 19_000, { heapPerConnBytes: 3_300, rssPerConnBytes: 9_000 }),
    point('w4', 'sockkit', 19_000, { heapPerConnBytes: 5_200, rssPerConnBytes: 9_900 }),
    { workload: 'w4', peer: 'ws', size: 50_000, ok: false, ms: 0, skipped: 'not run: ulimit' },
    { workload: 'w4', peer: 'sockkit', size: 50_000, ok: false, ms: 0, skipped: 'not run: ulimit' },
  ];

  it('measures cost growth from the smallest to the largest size that ran', () => {
    const heap = { workload: 'w4', metric: 'heapPerConnBytes' };
    expect(costGrowth(points, heap, 'sockkit')).toEqual({ ratio: 1.3, from: 1_000, to: 19_000 });
    expect(costGrowth(points, heap, 'ws').ratio).toBeCloseTo(1.1);
  });

  it('takes a target at the largest size both peers ran, and says which', () => {
    const heap = scaleTargets(points).find((t) => t.workload === 'w4');
    expect(heap).toMatchObject({ at: 19_000, pass: false });
    expect(heap?.ratio).toBeCloseTo(5_200 / 3_300);
    const md = scaleMarkdown(points, ['ws', 'sockkit']);
    expect(md).toContain('| 19,000 (50,000 not in this run) | 1.58× | missed |');
  });

  it('shows points that did not run as such, with the reason', () => {
    const md = scaleMarkdown(points, ['ws', 'sockkit']);
    expect(md).toContain('| 50,000 | not run | not run |');
    expect(md).toContain('| W4 heap per connection B | 1.10× (19,000 ÷ 1,000) | 1.30× (19,000 ÷ 1,000) |');
    expect(md).toContain('- w4 ws at 50,000: not run: ulimit');
  });
});

it('npm run bench -- --scale --quick completes every point and prints its tables', () => {
  const result = spawnSync(process.execPath, [run, '--scale', '--quick'], {
    encoding: 'utf8',
    timeout: 360_000,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  // 2 sizes × 3 peers × 3 workloads, each checked by the run (answers, deliveries in order, server counts).
  expect(result.stdout).toMatch(/^18\/18 points completed correctly/m);
  for (const [table, sizes] of [
    ['W2 calls/s', [1, 4]],
    ['W3 deliveries/s', [10, 20]],
    ['W3 delivery p99 µs', [10, 20]],
    ['W4 heap per connection B', [20, 40]],
  ] as const) {
    const section = result.stdout.split(`**${table}**`)[1]?.split('\n\n')[1] ?? '';
    for (const size of sizes)
      expect(section, table).toMatch(
        new RegExp(`^\\| ${size} \\| [\\d,.]+ \\| [\\d,.]+ \\| [\\d,.]+ \\|$`, 'm'),
      );
  }
  const charts = result.stdout.match(/^charts: (.*)$/m)?.[1].split(', ') ?? [];
  expect(charts.map((file) => basename(file))).toEqual(['scale-w2.png', 'scale-w3.png', 'scale-w4.png']);
  // A quick run writes its charts to a temporary directory of its own, never next to README.md.
  const dir = dirname(charts[0]);
  expect(dir.startsWith(tmpdir())).toBe(true);
  for (const file of charts) expect(statSync(file).size).toBeGreaterThan(1_000);
  rmSync(dir, { recursive: true });
}, 370_000);
