/**
 * The observing bench tools run and count what they should: W2 with metrics and tracing on
 * (the documented sampler, every call recorded) answers every call right, and each process's
 * CPU time is read. Nothing about speed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const script = (name: string) => fileURLToPath(new URL(`../${name}`, import.meta.url));

it('observe-cost measures W2 off and with metrics and tracing on', async () => {
  const { stdout, stderr } = await run(process.execPath, [
    script('observe-cost.mjs'),
    '--calls',
    '3000',
    '--reps',
    '1',
    '--configs',
    'off,metrics+server-tracing+client-tracing@1',
  ]);
  // A run that answers any call wrong throws; each config prints one line per rep.
  expect(stderr.match(/"wrong":0/g)).toHaveLength(2);
  const rows = stdout.split('\n').filter((line) => line.startsWith('| off') || line.startsWith('| metrics'));
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    const [, , callsPerSec, server, client] = row.split('|').map((cell) => cell.trim());
    expect(Number(callsPerSec?.replaceAll(',', ''))).toBeGreaterThan(0);
    expect(Number(client)).toBeGreaterThan(0);
    expect(Number.isFinite(Number(server))).toBe(true);
  }
});
