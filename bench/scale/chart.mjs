/**
 * Line charts for the scale curves: a few panels side by side, one line per peer, x on a log
 * scale (the sizes grow tenfold), written as SVG by hand and rendered to PNG by resvg (a Rust
 * SVG renderer shipped as a prebuilt binary inside its npm package: no browser needed, and the
 * same SVG gives the same PNG on every machine with the same fonts).
 */
import { Resvg } from '@resvg/resvg-js';

/**
 * @typedef {object} Series
 * @property {string} name
 * @property {Array<[number, number]>} points x, y; points with a non-finite y are left out
 */

/**
 * @typedef {object} Panel
 * @property {string} title
 * @property {string} xLabel
 * @property {string} yLabel
 * @property {boolean} [logY] log scale for y (latencies spanning decades)
 * @property {Series[]} series
 */

/** One colour per peer, the baseline in grey; other names get the rest in turn. */
const COLOURS = { ws: '#6b7280', socketio: '#d97706', trpc: '#7c3aed', sockkit: '#2563eb' };
const SPARE = ['#059669', '#dc2626', '#0891b2'];
const FONT = 'DejaVu Sans, Arial, sans-serif';

const PANEL_W = 420;
const PANEL_H = 300;
const MARGIN = { left: 72, right: 16, top: 36, bottom: 46 };
const LEGEND_H = 28;

/**
 * The size of the PNG `chartPng(panels)` renders, in pixels (at scale 1).
 * @param {number} panels
 */
export function chartSize(panels) {
  return { width: PANEL_W * panels, height: PANEL_H + LEGEND_H };
}

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** @param {number} v */
function label(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return `${+v.toPrecision(3)}`;
}

/**
 * Round tick values from 0 to at least `max`: steps of 1, 2 or 5 × 10^k, about five of them.
 * @param {number} max
 */
export function linearTicks(max) {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let v = 0; v < max + step; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/**
 * Powers of ten from below `min` to above `max`.
 * @param {number} min
 * @param {number} max
 */
function decadeTicks(min, max) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

/**
 * @param {Panel} panel
 * @param {number} x0 left edge of the panel
 * @param {string[]} names every series name across panels, for colours
 */
function panelSvg(panel, x0, names) {
  const plot = {
    x: x0 + MARGIN.left,
    y: MARGIN.top,
    w: PANEL_W - MARGIN.left - MARGIN.right,
    h: PANEL_H - MARGIN.top - MARGIN.bottom,
  };
  const points = panel.series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const xs = [...new Set(panel.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = points.map(([, y]) => y);
  const out = [
    `<text x="${x0 + PANEL_W / 2}" y="20" font-size="14" font-weight="bold" text-anchor="middle">${esc(panel.title)}</text>`,
  ];
  if (xs.length === 0) return out.join('');
  // x: log scale over the sizes, with a little room either side.
  const lx = xs.map(Math.log10);
  const [xmin, xmax] = xs.length === 1 ? [lx[0] - 1, lx[0] + 1] : [lx[0], lx[lx.length - 1]];
  const pad = (xmax - xmin) * 0.06;
  const px = (/** @type {number} */ x) =>
    plot.x + ((Math.log10(x) - xmin + pad) / (xmax - xmin + 2 * pad)) * plot.w;
  // y: linear from 0, or log over decades.
  const yTicks = panel.logY
    ? decadeTicks(Math.min(...ys, 1e9), Math.max(...ys, 1))
    : linearTicks(Math.max(...ys, 0));
  const [ymin, ymax] = [yTicks[0], yTicks[yTicks.length - 1]];
  const py = panel.logY
    ? (/** @type {number} */ y) =>
        plot.y +
        plot.h -
        ((Math.log10(y) - Math.log10(ymin)) / (Math.log10(ymax) - Math.log10(ymin))) * plot.h
    : (/** @type {number} */ y) => plot.y + plot.h - ((y - ymin) / (ymax - ymin)) * plot.h;
  out.push(
    `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#9ca3af"/>`,
  );
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    out.push(
      `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${plot.x - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`,
    );
  }
  for (const x of xs) {
    const X = px(x).toFixed(1);
    out.push(
      `<line x1="${X}" x2="${X}" y1="${plot.y}" y2="${plot.y + plot.h}" stroke="#f3f4f6"/>`,
      `<text x="${X}" y="${plot.y + plot.h + 16}" font-size="11" text-anchor="middle">${label(x)}</text>`,
    );
  }
  out.push(
    `<text x="${plot.x + plot.w / 2}" y="${PANEL_H - 8}" font-size="12" text-anchor="middle">${esc(panel.xLabel)}</text>`,
    `<text transform="translate(${x0 + 16} ${plot.y + plot.h / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(panel.yLabel)}</text>`,
  );
  for (const s of panel.series) {
    const colour = colourOf(s.name, names);
    // A missing point breaks the line rather than joining across it.
    /** @type {string[][]} */
    const runs = [[]];
    for (const [x, y] of s.points) {
      if (Number.isFinite(y)) runs[runs.length - 1].push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
      else if (runs[runs.length - 1].length > 0) runs.push([]);
    }
    for (const run of runs)
      if (run.length > 1)
        out.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${colour}" stroke-width="2.5"/>`);
    for (const [x, y] of s.points)
      if (Number.isFinite(y))
        out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4" fill="${colour}"/>`);
  }
  return out.join('');
}

/**
 * @param {string} name
 * @param {string[]} names
 */
function colourOf(name, names) {
  const known = /** @type {Record<string, string>} */ (COLOURS)[name];
  return known ?? SPARE[names.filter((n) => !(n in COLOURS)).indexOf(name) % SPARE.length];
}

/**
 * The SVG of `panels` side by side with one legend under them.
 * @param {Panel[]} panels
 */
export function chartSvg(panels) {
  const { width, height } = chartSize(panels.length);
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const legend = names
    .map((name, i) => {
      const x = 24 + i * 130;
      const y = PANEL_H + LEGEND_H / 2;
      return `<rect x="${x}" y="${y - 5}" width="18" height="10" fill="${colourOf(name, names)}"/><text x="${x + 24}" y="${y}" font-size="12" dominant-baseline="middle">${esc(name)}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...panels.map((p, i) => panelSvg(p, i * PANEL_W, names)),
    legend,
    '</svg>',
  ].join('');
}

/**
 * `chartSvg(panels)` rendered to a PNG of `chartSize(panels.length)` pixels.
 * @param {Panel[]} panels
 * @returns {Buffer}
 */
export function chartPng(panels) {
  return new Resvg(chartSvg(panels), { font: { loadSystemFonts: true }, background: '#ffffff' })
    .render()
    .asPng();
}
