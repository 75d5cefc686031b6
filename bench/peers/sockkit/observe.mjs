/**
 * What SOCKKIT_BENCH_OBSERVE=1 turns on (or a part of it, e.g. `metrics,server-tracing`), to
 * measure what observing costs (docs/operations.md, "Cost"): sockkit's Prometheus metrics and
 * OpenTelemetry tracing on both sides, set up as docs/operations.md recommends for production:
 * an SDK tracer provider with a `ParentBased(TraceIdRatioBased)` sampler and a
 * `BatchSpanProcessor`, and the AsyncLocalStorage context manager the Node SDK registers. The
 * batches are dropped instead of exported (the export is the collector's cost, not sockkit's).
 * SOCKKIT_BENCH_SAMPLE sets the ratio (default 0.1, the bench's stand-in for the documented
 * setting; `1` records every call). Off, nothing here is loaded.
 */
const what = process.env.SOCKKIT_BENCH_OBSERVE ?? '';
/** Which parts are on: `1` for all, or a list of `metrics`, `server-tracing`, `client-tracing`. */
export const observing = {
  metrics: what === '1' || what.includes('metrics'),
  serverTracing: what === '1' || what.includes('server-tracing'),
  clientTracing: what === '1' || what.includes('client-tracing'),
};

/** The share of root traces recorded. */
const ratio = Number(process.env.SOCKKIT_BENCH_SAMPLE ?? '0.1');

/** A tracer whose spans are sampled as documented, batched, and then dropped. */
export async function benchTracer(name) {
  const { context } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } =
    await import('@opentelemetry/sdk-trace-base');
  if (process.env.SOCKKIT_BENCH_CONTEXT !== 'none')
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  /** @type {import('@opentelemetry/sdk-trace-base').SpanExporter} */
  const drop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new BatchSpanProcessor(drop)],
  });
  return provider.getTracer(name);
}
