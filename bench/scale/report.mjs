/**
 * The scale run's report: one table per curve (sizes down, peers across), how the cost per unit
 * moves from the smallest to the largest size, the issue's two targets at scale, and the chart
 * panels of each workload.
 */

/** @typedef {import('./points.mjs').PointResult} PointResult */

/**
 * The curves, in report order. `cost`: the metric is a cost per unit (per call, delivery or
 * connection), so its ratio largest ÷ smallest says whether cost per unit stays flat.
 */
export const CURVES = [
  { workload: 'w2', metric: 'callsPerSec', label: 'W2 calls/s', unit: 'connections' },
  { workload: 'w2', metric: 'usPerCall', label: 'W2 µs per call', unit: 'connections', cost: true },
  { workload: 'w3', metric: 'deliveriesPerSec', label: 'W3 deliveries/s', unit: 'subscribers' },
  { workload: 'w3', metric: 'usPerDelivery', label: 'W3 µs per delivery', unit: 'subscribers', cost: true },
  { workload: 'w3', metric: 'deliveryP99Us', label: 'W3 delivery p99 µs', unit: 'subscribers' },
  {
    workload: 'w4',
    metric: 'heapPerConnBytes',
    label: 'W4 heap per connection B',
    unit: 'connections',
    cost: true,
  },
  {
    workload: 'w4',
    metric: 'rssPerConnBytes',
    label: 'W4 RSS per connection B',
    unit: 'connections',
    cost: true,
  },
];

/** Chart panels per workload: the curves drawn, with their axis labels. */
const CHARTS = {
  w2: [{ metric: 'callsPerSec', title: 'W2 throughput, same calls in flight', yLabel: 'calls/s' }],
  w3: [
    { metric: 'deliveriesPerSec', title: 'W3 fan-out rate', yLabel: 'deliveries/s' },
    { metric: 'deliveryP99Us', title: 'W3 delivery latency p99', yLabel: 'µs (log)', logY: true },
  ],
  w4: [
    { metric: 'heapPerConnBytes', title: 'W4 server heap per idle connection', yLabel: 'bytes' },
    { metric: 'rssPerConnBytes', title: 'W4 server RSS per idle connection', yLabel: 'bytes' },
  ],
};

/** @param {number} x */
function fmt(x) {
  if (!Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(x >= 10 ? 1 : 2);
}

/** @param {number} x */
const times = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');

/**
 * @param {PointResult[]} points
 * @param {string} workload
 */
function sizesOf(points, workload) {
  return [...new Set(points.filter((p) => p.workload === workload).map((p) => p.size))].sort((a, b) => a - b);
}

/**
 * The value of a metric at one point, or NaN when that point failed or did not run.
 * @param {PointResult[]} points
 * @param {string} workload
 * @param {string} peer
 * @param {number} size
 * @param {string} metric
 */
export function valueAt(points, workload, peer, size, metric) {
  const p = points.find((q) => q.workload === workload && q.peer === peer && q.size === size);
  return p?.ok ? (p.metrics?.[metric] ?? Number.NaN) : Number.NaN;
}

/**
 * @param {PointResult[]} points
 * @param {string} workload
 * @param {string} peer
 * @param {number} size
 */
function cell(points, workload, peer, size, /** @type {string} */ metric) {
  const p = points.find((q) => q.workload === workload && q.peer === peer && q.size === size);
  if (p === undefined) return '';
  if (p.skipped !== undefined) return 'not run';
  if (!p.ok) return 'failed';
  return fmt(p.metrics?.[metric] ?? Number.NaN);
}

/**
 * Per-unit cost at the largest size that ran ÷ at the smallest, per peer (1.00× is flat).
 * @param {PointResult[]} points
 * @param {{ workload: string, metric: string }} curve
 * @param {string} peer
 */
export function costGrowth(points, { workload, metric }, peer) {
  const ran = sizesOf(points, workload).filter((s) =>
    Number.isFinite(valueAt(points, workload, peer, s, metric)),
  );
  if (ran.length < 2) return { ratio: Number.NaN, from: Number.NaN, to: Number.NaN };
  const [from, to] = [ran[0], ran[ran.length - 1]];
  return {
    ratio: valueAt(points, workload, peer, to, metric) / valueAt(points, workload, peer, from, metric),
    from,
    to,
  };
}

/**
 * The issue's targets at scale, at the largest size both peers ran (which says so when it is not
 * the size the issue names).
 * @param {PointResult[]} points
 */
export function scaleTargets(points) {
  const wanted = [
    { workload: 'w3', metric: 'deliveriesPerSec', vs: 'socketio', size: 10_000, min: 1.0 },
    { workload: 'w4', metric: 'heapPerConnBytes', vs: 'ws', size: 50_000, max: 1.5 },
  ];
  return wanted.map((t) => {
    const both = sizesOf(points, t.workload).filter(
      (s) =>
        s <= t.size &&
        Number.isFinite(valueAt(points, t.workload, 'sockkit', s, t.metric)) &&
        Number.isFinite(valueAt(points, t.workload, t.vs, s, t.metric)),
    );
    const at = both.length > 0 ? both[both.length - 1] : Number.NaN;
    const ratio =
      valueAt(points, t.workload, 'sockkit', at, t.metric) / valueAt(points, t.workload, t.vs, at, t.metric);
    const pass = Number.isFinite(ratio)
      ? t.min !== undefined
        ? ratio >= t.min
        : ratio <= (t.max ?? 0)
      : null;
    return { ...t, at, ratio, pass };
  });
}

/**
 * Markdown: a table per curve, the cost-growth table, the targets, and points that did not run.
 * @param {PointResult[]} points
 * @param {string[]} peers
 */
export function scaleMarkdown(points, peers) {
  const out = [];
  for (const curve of CURVES) {
    const sizes = sizesOf(points, curve.workload);
    if (sizes.length === 0) continue;
    out.push(
      `**${curve.label}**`,
      '',
      `| ${curve.unit} | ${peers.join(' | ')} |`,
      `|---:|${peers.map(() => '---:').join('|')}|`,
      ...sizes.map(
        (s) =>
          `| ${s.toLocaleString('en-US')} | ${peers.map((p) => cell(points, curve.workload, p, s, curve.metric)).join(' | ')} |`,
      ),
      '',
    );
  }
  const costs = CURVES.filter((c) => c.cost && sizesOf(points, c.workload).length > 1);
  if (costs.length > 0) {
    out.push(
      '**Cost per unit, largest size ÷ smallest** (1.00× is flat, above 1 it grows with the count)',
      '',
      `| cost | ${peers.join(' | ')} |`,
      `|---|${peers.map(() => '---:').join('|')}|`,
      ...costs.map((c) => {
        const cells = peers.map((p) => {
          const g = costGrowth(points, c, p);
          return Number.isFinite(g.ratio)
            ? `${times(g.ratio)} (${g.to.toLocaleString('en-US')} ÷ ${g.from.toLocaleString('en-US')})`
            : 'n/a';
        });
        return `| ${c.label} | ${cells.join(' | ')} |`;
      }),
      '',
    );
  }
  const targets = scaleTargets(points).filter((t) => sizesOf(points, t.workload).length > 0);
  if (targets.length > 0) {
    out.push(
      '**Targets at scale**',
      '',
      '| target | wanted | measured at | ratio | verdict |',
      '|---|---:|---:|---:|---|',
      ...targets.map((t) => {
        const where = Number.isFinite(t.at)
          ? `${t.at.toLocaleString('en-US')}${t.at !== t.size ? ` (${t.size.toLocaleString('en-US')} not in this run)` : ''}`
          : 'n/a';
        const verdict = t.pass === null ? 'n/a' : t.pass ? 'met' : 'missed';
        return `| ${t.workload} ${t.metric} at ${t.size.toLocaleString('en-US')} sockkit/${t.vs} | ${t.min !== undefined ? `≥ ${t.min}` : `≤ ${t.max}`} | ${where} | ${times(t.ratio)} | ${verdict} |`;
      }),
      '',
    );
  }
  const notRun = points.filter((p) => !p.ok);
  for (const p of notRun)
    out.push(
      `- ${p.workload} ${p.peer} at ${p.size.toLocaleString('en-US')}: ${p.skipped ?? `failed: ${p.error?.split('\n')[0]}`}`,
    );
  return out.join('\n').trim();
}

/**
 * Chart panels of each workload that has points, for chart.mjs.
 * @param {PointResult[]} points
 * @param {string[]} peers
 * @returns {Array<{ workload: string, panels: import('./chart.mjs').Panel[] }>}
 */
export function scaleCharts(points, peers) {
  return Object.entries(CHARTS)
    .filter(([workload]) => sizesOf(points, workload).length > 0)
    .map(([workload, charts]) => {
      const sizes = sizesOf(points, workload);
      const unit = CURVES.find((c) => c.workload === workload)?.unit ?? '';
      return {
        workload,
        panels: charts.map((c) => ({
          title: c.title,
          xLabel: `${unit} (log scale)`,
          yLabel: c.yLabel,
          logY: c.logY,
          series: peers.map((peer) => ({
            name: peer,
            points: sizes.map(
              (s) => /** @type {[number, number]} */ ([s, valueAt(points, workload, peer, s, c.metric)]),
            ),
          })),
        })),
      };
    });
}
