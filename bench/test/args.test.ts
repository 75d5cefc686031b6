/**
 * The bench's command line: defaults, --scale and --unpinned, and every wrong input refused
 * rather than ignored.
 */
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../lib/args.mjs';
import { PEERS, RUNNABLE } from '../lib/config.mjs';
import { SCALE_PEERS, SCALE_WORKLOADS } from '../scale/config.mjs';

describe('parseBenchArgs', () => {
  it('defaults to the full table: every peer and workload, three repetitions, pinned', () => {
    expect(parseBenchArgs([])).toEqual({
      mode: 'full',
      scale: false,
      peers: PEERS,
      workloads: RUNNABLE,
      reps: 3,
      profile: false,
      pin: true,
    });
  });

  it('--quick is one repetition; --reps overrides', () => {
    expect(parseBenchArgs(['--quick'])).toMatchObject({ mode: 'quick', reps: 1 });
    expect(parseBenchArgs(['--reps', '5'])).toMatchObject({ mode: 'full', reps: 5 });
  });

  it('the table includes the bursty W3 and W5 to first answer', () => {
    expect(RUNNABLE).toEqual(expect.arrayContaining(['w3', 'w3b', 'w5', 'w5f']));
  });

  it('--scale runs ws, Socket.IO and sockkit on W2, W3 and W4, once each', () => {
    expect(parseBenchArgs(['--scale'])).toMatchObject({
      scale: true,
      mode: 'full',
      peers: SCALE_PEERS,
      workloads: SCALE_WORKLOADS,
      reps: 1,
    });
    expect(SCALE_PEERS).toEqual(['ws', 'socketio', 'sockkit']);
    expect(parseBenchArgs(['--scale', '--quick', '--peers', 'sockkit', '--workloads', 'w4'])).toMatchObject({
      mode: 'quick',
      peers: ['sockkit'],
      workloads: ['w4'],
    });
  });

  it('--unpinned turns pinning off, and a machine that cannot pin never pins', () => {
    expect(parseBenchArgs(['--unpinned']).pin).toBe(false);
    expect(parseBenchArgs(['--scale', '--unpinned']).pin).toBe(false);
    expect(parseBenchArgs([], { canPin: false }).pin).toBe(false);
  });

  it.each([
    [['--peers', 'ws,nope'], /unknown peer nope/],
    [['--workloads', 'w9'], /unknown workload w9/],
    [['--scale', '--workloads', 'w1'], /unknown workload w1; one of w2, w3, w4/],
    [['--peers', ','], /names none/],
    [['--reps', '0'], /positive integer/],
    [['--reps', '1.5'], /positive integer/],
    [['--scale', '--profile'], /--profile/],
    [['--fast'], /Unknown option '--fast'/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
