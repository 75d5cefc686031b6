/**
 * A budget for log lines that someone outside the server can cause (a client's bad frames, a
 * refused client retrying in a loop): a burst, then one line a minute, the next line after a
 * gap carrying `suppressed: n`. Console writes are synchronous, so without it a peer could
 * grow the server's log, and slow it, at its own pace. Time comes from the injected clock.
 */
import type { Clock } from '@sockkit/core';
import { TokenBucket } from './rate-limit.js';

/** Lines let through at once before the budget applies. */
const BURST = 10;
/** Then one line a minute. */
const LINES_PER_SECOND = 1 / 60;

/** A log budget. */
export class LogBudget {
  private readonly bucket: TokenBucket;
  private suppressed = 0;

  constructor(clock: Clock) {
    this.bucket = new TokenBucket(LINES_PER_SECOND, BURST, clock);
  }

  /**
   * The meta to log the line with (with `suppressed` when lines were left out since the last
   * one), or undefined when the budget is spent and the line must be left out.
   */
  admit(meta: Record<string, unknown>): Record<string, unknown> | undefined {
    if (!this.bucket.take()) {
      this.suppressed++;
      return undefined;
    }
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return suppressed > 0 ? { ...meta, suppressed } : meta;
  }
}
