/**
 * A manual clock for tests: timers fire only when the test advances time, so backoff,
 * heartbeats and expiries are checked without waiting and without wall-clock asserts.
 */
import type { Clock, TimerHandle } from '@sockkit/core';

interface Timer {
  id: number;
  at: number;
  every: number | undefined;
  callback: () => void;
}

/** A clock whose time moves only through {@link ManualClock.advance}. */
export class ManualClock implements Clock {
  private time = 1_700_000_000_000;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.add(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.add(callback, ms, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== (handle as unknown as number));
  }

  clearInterval(handle: TimerHandle): void {
    this.clearTimeout(handle);
  }

  /** Delays of the timers now scheduled, relative to now, soonest first. */
  pending(): number[] {
    return this.timers.map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.time = due.at;
      if (due.every === undefined) this.timers = this.timers.filter((t) => t !== due);
      else due.at += due.every;
      due.callback();
    }
    this.time = end;
  }

  private add(callback: () => void, ms: number, every: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), every, callback });
    return id as unknown as TimerHandle;
  }
}
