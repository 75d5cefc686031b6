/**
 * What SOCKKIT_BENCH_OBSERVE=1 turns on, to measure what observing costs (docs/operations.md,
 * "Cost"): sockkit's Prometheus metrics and OpenTelemetry tracing on both sides, with a real
 * SDK tracer whose batches are dropped instead of exported (the export itself is the
 * collector's cost, not sockkit's). Off, nothing here is loaded.
 */
export const observing = process.env.SOCKKIT_BENCH_OBSERVE === '1';

/** A tracer whose spans are batched and then dropped. */
export async function benchTracer(name) {
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  /** @type {import('@opentelemetry/sdk-trace-base').SpanExporter} */
  const drop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] });
  return provider.getTracer(name);
}
