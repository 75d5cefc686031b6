/**
 * Quick mode as a test: every workload completes correctly against every peer (right answers,
 * every delivery, the server's own connection and subscriber counts). Nothing about speed.
 */
import { describe, expect, it } from 'vitest';
import { PEERS, RUNNABLE, runsOn } from '../lib/config.mjs';
import { runOne } from '../lib/runner.mjs';

describe.each(PEERS)('%s', (peer) => {
  it.each(RUNNABLE.filter((w) => runsOn(w, peer)))(
    '%s completes correctly in quick mode',
    async (workload) => {
      const result = await runOne({ peer, workload, quick: true });
      expect(result.error ?? '').toBe('');
      expect(result.ok, JSON.stringify(result.checks)).toBe(true);
      for (const value of Object.values(result.metrics ?? {})) expect(Number.isFinite(value)).toBe(true);
    },
  );
});
