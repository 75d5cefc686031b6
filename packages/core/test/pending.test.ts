import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/clock.js';
import { PendingCalls } from '../src/pending.js';

describe('PendingCalls', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles once from a result', async () => {
    const calls = new PendingCalls(systemClock);
    const p = calls.add(1, { label: 'x', timeoutMs: 1000 });
    expect(calls.settle(1, undefined, 'ok')).toBe('settled');
    await expect(p).resolves.toBe('ok');
    expect(calls.settle(1, undefined, 'again')).toBe('unknown');
    expect(calls.size).toBe(0);
  });

  it('times out with TIMEOUT, tells the owner, and marks a late answer as late', async () => {
    const calls = new PendingCalls(systemClock);
    const gaveUp: number[] = [];
    const p = calls.add(7, { label: 'slow', timeoutMs: 500, onGiveUp: (id) => gaveUp.push(id) });
    const assertion = expect(p).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'slow timed out after 500 ms',
    });
    vi.advanceTimersByTime(499);
    expect(calls.has(7)).toBe(true);
    vi.advanceTimersByTime(1);
    await assertion;
    expect(gaveUp).toEqual([7]);
    expect(calls.settle(7, undefined, 'late')).toBe('late');
  });

  it('rejects with CANCELLED when its signal aborts, and at once when already aborted', async () => {
    const calls = new PendingCalls(systemClock);
    const controller = new AbortController();
    const p = calls.add(1, { label: 'x', signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(calls.add(2, { label: 'y', signal: controller.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(calls.size).toBe(0);
  });

  it('rejects a selection of calls, leaving the others', async () => {
    const calls = new PendingCalls(systemClock);
    const a = calls.add(1, { label: 'a' }, { keep: false });
    calls.add(2, { label: 'b' }, { keep: true });
    calls.rejectWhere(
      new (await import('../src/errors.js')).SockkitError('UNAVAILABLE', 'gone'),
      (d) => !(d as { keep: boolean }).keep,
    );
    await expect(a).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(calls.size).toBe(1);
  });
});
