/**
 * Nanoseconds per call of the observer path alone, in one process: a metrics or tracing observer
 * asked about a call (`callStarted`), wrapping a trivial handler (`run`) and told its end
 * (`finished`), as the server's dispatch does, with no socket around it. It shows sockkit's own
 * work apart from the OpenTelemetry SDK's (the SDK tracer is real: sampler, batch processor whose
 * batches are dropped; no context manager, so `context.with` costs nothing here).
 *   node observe-micro.mjs [--calls 300000] [--variant old]
 */
import { parseArgs } from 'node:util';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '300000' }, variant: { type: 'string', default: '' } },
});
const calls = Number(values.calls);
// `--variant old`: another build of the entries to compare with (dist/metrics-old.js, dist/tracing-old.js).
const suffix = values.variant ? `-${values.variant}` : '';
const { createSockkitMetrics } = await import(
  suffix
    ? new URL(`../packages/server/dist/metrics${suffix}.js`, import.meta.url).href
    : '@sockkit/server/metrics'
);
const { createSockkitTracing } = await import(
  suffix
    ? new URL(`../packages/server/dist/tracing${suffix}.js`, import.meta.url).href
    : '@sockkit/server/tracing'
);

/** @type {import('@opentelemetry/sdk-trace-base').SpanExporter} */
const drop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const tracer = (/** @type {number} */ ratio) =>
  new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new BatchSpanProcessor(drop)],
  }).getTracer('micro');
const conn = { id: 'c1', user: undefined, openedAt: 0, request: { remoteAddress: '127.0.0.1' } };
const sampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const unsampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

/** @param {string} name @param {import('@sockkit/server').ServerObserver} observer @param {string} [traceparent] */
function measure(name, observer, traceparent) {
  const handler = () => 1;
  const call = { conn, id: 1, procedure: 'echo', bytes: 120, traceparent };
  const end = { code: 'OK', bytes: 90, durationMs: 0.05 };
  let ns = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) {
      const watch = observer.callStarted?.(call);
      if (watch?.run) watch.run(handler);
      else handler();
      watch?.finished(end);
    }
    ns = Number(process.hrtime.bigint() - t0) / calls; // the last round, warm
  }
  console.log(`| ${name} | ${ns.toFixed(0)} |`);
}

console.log('| observer | ns/call |\n|---|---|');
measure('metrics', createSockkitMetrics().observer);
measure('tracing, ratio 1, no traceparent', createSockkitTracing({ tracer: tracer(1) }));
measure('tracing, ratio 1, sampled traceparent', createSockkitTracing({ tracer: tracer(1) }), sampled);
measure('tracing, ratio 0.1, no traceparent', createSockkitTracing({ tracer: tracer(0.1) }));
measure(
  'tracing, ratio 0.1, unsampled traceparent',
  createSockkitTracing({ tracer: tracer(0.1) }),
  unsampled,
);
