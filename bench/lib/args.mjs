/**
 * The command line of `run.mjs`, parsed and checked in one place (and testable without running
 * anything). Unknown options, peers and workloads are errors, not silently ignored.
 */
import { parseArgs } from 'node:util';
import { SCALE_PEERS, SCALE_WORKLOADS } from '../scale/config.mjs';
import { PEERS, REPS, RUNNABLE } from './config.mjs';

/**
 * @typedef {object} BenchArgs
 * @property {'full' | 'quick'} mode quick: small counts, correctness only
 * @property {boolean} scale the scale curves (`--scale`) instead of the workload table
 * @property {string[]} peers
 * @property {string[]} workloads
 * @property {number} reps
 * @property {boolean} profile
 * @property {boolean} pin server on CPU 0 and load on CPU 1, when the machine can (`--unpinned` turns it off)
 */

/**
 * @param {string} list comma-separated
 * @param {string[]} allowed
 * @param {string} what
 */
function listOf(list, allowed, what) {
  const items = list.split(',').filter(Boolean);
  for (const item of items)
    if (!allowed.includes(item)) throw new Error(`unknown ${what} ${item}; one of ${allowed.join(', ')}`);
  if (items.length === 0) throw new Error(`--${what}s names none`);
  return items;
}

/**
 * @param {string[]} argv the arguments after the script
 * @param {{ canPin?: boolean }} [machine] whether this machine can pin processes to CPUs
 * @returns {BenchArgs}
 */
export function parseBenchArgs(argv, { canPin = true } = {}) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      peers: { type: 'string' },
      workloads: { type: 'string' },
      reps: { type: 'string' },
      profile: { type: 'boolean', default: false },
      unpinned: { type: 'boolean', default: false },
    },
  });
  const scale = values.scale ?? false;
  const mode = values.quick ? 'quick' : 'full';
  const peers =
    values.peers === undefined ? (scale ? SCALE_PEERS : PEERS) : listOf(values.peers, PEERS, 'peer');
  const allowed = scale ? SCALE_WORKLOADS : RUNNABLE;
  const workloads = values.workloads === undefined ? allowed : listOf(values.workloads, allowed, 'workload');
  const reps = Number(values.reps ?? (scale ? 1 : REPS[mode]));
  if (!Number.isInteger(reps) || reps < 1)
    throw new Error(`--reps must be a positive integer, not ${values.reps}`);
  if (scale && values.profile) throw new Error('--profile applies to the workload table, not --scale');
  return {
    mode,
    scale,
    peers,
    workloads,
    reps,
    profile: values.profile ?? false,
    pin: canPin && !values.unpinned,
  };
}
