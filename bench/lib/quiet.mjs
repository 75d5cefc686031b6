/**
 * Waiting for a quiet machine. Between two runs none of the bench's processes is running, so the
 * CPU time /proc/stat counts then is other work; a run waits (bounded) until that drops, so that
 * a burst of someone else's build does not land in one peer's measurement and not the next.
 */
import { readFileSync } from 'node:fs';

/** Busy and total jiffies of all CPUs, or undefined off Linux. */
function cpuTimes() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Share of CPU time used over the next `ms` milliseconds (0–1), or undefined off Linux.
 * @param {number} ms
 */
export async function busyShare(ms) {
  const a = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuTimes();
  if (a === undefined || b === undefined || b.total === a.total) return undefined;
  return (b.busy - a.busy) / (b.total - a.total);
}

/**
 * Waits until the machine's CPU use over one second is below `threshold`, or `maxMs` passed.
 * Resolves with how long it waited and the last share seen.
 * @param {{ threshold?: number, maxMs?: number }} [options]
 */
export async function waitForQuiet({ threshold = 0.15, maxMs = 20_000 } = {}) {
  const started = Date.now();
  let share = await busyShare(1000);
  while (share !== undefined && share >= threshold && Date.now() - started < maxMs)
    share = await busyShare(1000);
  return { waitedMs: Date.now() - started, busy: share };
}
