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
    const gaveUp: number[] = [];
    const calls = new PendingCalls(systemClock, (id) => gaveUp.push(id));
    const p = calls.add(7, { label: 'slow', timeoutMs: 500 });
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

describe('PendingCalls timeouts on one shared timer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('times every call out at its own deadline, whatever the order of their timeouts', async () => {
    const calls = new PendingCalls(systemClock);
    const ended: string[] = [];
    const track = (id: number, timeoutMs: number) =>
      calls.add(id, { label: `c${id}`, timeoutMs }).catch((e: { code: string }) => {
        ended.push(`${id}:${e.code}@${Date.now() - start}`);
      });
    const start = Date.now();
    track(1, 1000);
    await vi.advanceTimersByTimeAsync(100);
    track(2, 300); // earlier than the armed deadline: the timer moves to it
    track(3, 5000);
    track(4, 0); // never times out
    await vi.advanceTimersByTimeAsync(299);
    expect(ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ended).toEqual(['2:TIMEOUT@400']);
    await vi.advanceTimersByTimeAsync(599);
    expect(ended).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ended).toEqual(['2:TIMEOUT@400', '1:TIMEOUT@1000']);
    await vi.advanceTimersByTimeAsync(4100);
    expect(ended).toEqual(['2:TIMEOUT@400', '1:TIMEOUT@1000', '3:TIMEOUT@5100']);
    expect(calls.has(4)).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(calls.has(4)).toBe(true);
  });

  it('arms no new timer for a call whose deadline is later than the armed one', () => {
    const clock = { ...systemClock, setTimeout: vi.fn(systemClock.setTimeout) };
    const calls = new PendingCalls(clock);
    for (let id = 1; id <= 100; id++) {
      calls.add(id, { label: 'x', timeoutMs: 30_000 }).catch(() => {});
      if (id > 1) calls.settle(id - 1, undefined, null);
      vi.advanceTimersByTime(1);
    }
    expect(clock.setTimeout).toHaveBeenCalledTimes(1);
    calls.add(101, { label: 'x', timeoutMs: 10 }).catch(() => {});
    expect(clock.setTimeout).toHaveBeenCalledTimes(2);
  });

  it('a settled call never times out, and rejecting every call disarms the timer', async () => {
    const calls = new PendingCalls(systemClock);
    const p = calls.add(1, { label: 'x', timeoutMs: 50 });
    calls.settle(1, undefined, 'ok');
    vi.advanceTimersByTime(100);
    await expect(p).resolves.toBe('ok');
    calls.add(2, { label: 'y', timeoutMs: 50 }).catch(() => {});
    expect(vi.getTimerCount()).toBe(1);
    calls.rejectWhere(new (await import('../src/errors.js')).SockkitError('UNAVAILABLE', 'gone'));
    expect(vi.getTimerCount()).toBe(0);
  });
});
