/**
 * The call figures of `@sockkit/server/metrics`, kept per procedure in plain numbers and
 * handed to prom-client when scraped. Each procedure has one {@link ProcedureCalls}, which is
 * also the `CallWatch` of every call to it: following a call allocates nothing, and counting
 * its end is a few additions. prom-client's own `histogram.observe(labels, v)` hashes the
 * labels on every call (its `labels()` children too), which costs more than the rest of the
 * metrics together at W2's call rate, so the duration histogram is a collector of this module
 * that prom-client's registry reads through the `get()` every metric has.
 */
import type { Metric, Registry } from 'prom-client';
import type { CallEnd, CallWatch } from './observer.js';

/** One line of a scrape, as prom-client's metrics give them from `get()`. */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** One procedure's calls: in flight, answered by code, and their durations. */
class ProcedureCalls implements CallWatch {
  inFlight = 0;
  /** Answered calls by code (`OK` or an error code). */
  readonly codes = new Map<string, number>();
  /** Calls per bucket (not cumulative); the last one is above every bound. */
  readonly buckets: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly procedure: string,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Array<number>(bounds.length + 1).fill(0);
  }

  finished({ code, durationMs }: CallEnd): void {
    this.inFlight--;
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    const seconds = durationMs / 1000;
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }
}

/** The call figures of every procedure. */
export class CallMetrics {
  private readonly procedures = new Map<string, ProcedureCalls>();

  constructor(private readonly bounds: readonly number[]) {}

  /** A call to `procedure` arrived: the watch that counts its end. */
  started(procedure: string): CallWatch {
    let calls = this.procedures.get(procedure);
    if (calls === undefined) {
      calls = new ProcedureCalls(procedure, this.bounds);
      this.procedures.set(procedure, calls);
    }
    calls.inFlight++;
    return calls;
  }

  /** Every procedure seen so far. */
  all(): IterableIterator<ProcedureCalls> {
    return this.procedures.values();
  }

  /**
   * Registers the duration histogram, by procedure, under `name` in `registry`: read from these
   * figures when scraped, in the shape prom-client's own histograms have (`_bucket` with `le`,
   * `_sum`, `_count`).
   */
  registerHistogram(registry: Registry, name: string, help: string): void {
    const { bounds } = this;
    const procedures = this.procedures;
    const histogram = {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      async get() {
        const values: Sample[] = [];
        for (const calls of procedures.values()) {
          const { procedure } = calls;
          let cumulative = 0;
          bounds.forEach((le, i) => {
            cumulative += calls.buckets[i] as number;
            values.push({ metricName: `${name}_bucket`, labels: { le, procedure }, value: cumulative });
          });
          values.push(
            { metricName: `${name}_bucket`, labels: { le: '+Inf', procedure }, value: calls.count },
            { metricName: `${name}_sum`, labels: { procedure }, value: calls.sum },
            { metricName: `${name}_count`, labels: { procedure }, value: calls.count },
          );
        }
        return { name, help, type: 'histogram', aggregator: 'sum', values };
      },
      reset() {
        for (const calls of procedures.values()) {
          calls.buckets.fill(0);
          calls.sum = 0;
          calls.count = 0;
        }
      },
    };
    // The registry reads a metric through `get()` (and `reset()`); its type names prom-client's
    // four classes, none of which can be fed pre-counted buckets.
    registry.registerMetric(histogram as unknown as Metric);
  }
}
