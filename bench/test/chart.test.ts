/**
 * The scale charts: the SVG renders to a PNG of exactly the size chartSize() states, one line
 * per peer, with missing points left out rather than drawn at zero.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chartPng, chartSize, chartSvg, linearTicks } from '../scale/chart.mjs';

const panel = (title: string, logY = false) => ({
  title,
  xLabel: 'subscribers (log scale)',
  yLabel: 'deliveries/s',
  logY,
  series: [
    {
      name: 'ws',
      points: [
        [100, 90_000],
        [1_000, 100_000],
        [10_000, 80_000],
      ] as Array<[number, number]>,
    },
    {
      name: 'sockkit',
      points: [
        [100, 85_000],
        [1_000, Number.NaN],
        [10_000, 70_000],
      ] as Array<[number, number]>,
    },
  ],
});

/** Width, height and the share of non-white pixels of an 8-bit RGBA, non-interlaced PNG. */
function readPng(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const channels = (raw.length / height - 1) / width;
  return { width, height, channels, bitDepth: png[24] };
}

describe('scale charts', () => {
  it.each([1, 2])('%i panel(s) render to a PNG of chartSize()', (n) => {
    const png = chartPng(Array.from({ length: n }, (_, i) => panel(`panel ${i}`, i === 1)));
    const { width, height, channels, bitDepth } = readPng(png);
    expect({ width, height }).toEqual(chartSize(n));
    expect({ width, height }).toEqual({ width: 420 * n, height: 328 });
    expect(bitDepth).toBe(8);
    expect([3, 4]).toContain(channels);
  });

  it('draws one line per peer and leaves a missing point out', () => {
    const svg = chartSvg([panel('W3')]);
    // ws: one polyline through three points; sockkit: its two points with the gap between, no line.
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg).toContain('>sockkit</text>');
    expect(svg).not.toContain('NaN');
  });

  it('ticks the y axis in round steps from 0 past the largest value', () => {
    expect(linearTicks(100_000)).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(linearTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(linearTicks(0)).toEqual([0, 1]);
  });
});
