/**
 * `otelCallTracer` with the OpenTelemetry SDK (in-memory exporter): what each call's frame
 * carries as its traceparent, and what a span the sampler drops costs (nothing of its own).
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type Sampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { otelCallTracer } from '../src/otel.js';

const WIRE = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A `send` answering `value`, and the traceparents it was given. */
function capture<T>(value: T) {
  const seen: (string | undefined)[] = [];
  return {
    seen,
    send: (tp: string | undefined) => {
      seen.push(tp);
      return Promise.resolve(value);
    },
  };
}

function sdk(sampler?: Sampler, idGenerator?: { generateTraceId(): string; generateSpanId(): string }) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    ...(sampler ? { sampler } : {}),
    ...(idGenerator ? { idGenerator } : {}),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, tracer: otelCallTracer(provider.getTracer('test')) };
}

describe('otelCallTracer', () => {
  it('records a span per call and sends its context, sampled', async () => {
    const { exporter, tracer } = sdk();
    const echo = capture('ok');
    await expect(tracer.call('echo', echo.send)).resolves.toBe('ok');
    const [span] = exporter.getFinishedSpans();
    expect(echo.seen).toHaveLength(1);
    expect(echo.seen[0]).toBe(`00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`);
    expect(span?.attributes).toEqual({ 'rpc.system': 'sockkit', 'rpc.method': 'echo', 'sockkit.code': 'OK' });

    const failure = Object.assign(new Error('no'), { code: 'CONFLICT' });
    await expect(tracer.call('fail', () => Promise.reject(failure))).rejects.toBe(failure);
    expect(exporter.getFinishedSpans()[1]).toMatchObject({
      attributes: { 'sockkit.code': 'CONFLICT' },
      status: { code: SpanStatusCode.ERROR, message: 'CONFLICT' },
    });
  });

  it('for a call the sampler drops: tells the server (flags 00) and adds nothing to the call', async () => {
    const { exporter, tracer } = sdk(new AlwaysOffSampler());
    let sent: string | undefined;
    const answer = Promise.resolve('ok');
    const result = tracer.call('echo', (tp) => {
      sent = tp;
      return answer;
    });
    // The call's own promise: no span to end, so nothing waits on it.
    expect(result).toBe(answer);
    await result;
    expect(sent).toMatch(WIRE);
    expect(sent?.endsWith('-00')).toBe(true);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('sends lower case whatever the id generator makes, and nothing without an SDK', async () => {
    const upper = {
      generateTraceId: () => 'ABCDEF0123456789ABCDEF0123456789',
      generateSpanId: () => '0123456789ABCDEF',
    };
    const { tracer } = sdk(undefined, upper);
    const traced = capture(undefined);
    await tracer.call('echo', traced.send);
    expect(traced.seen).toEqual(['00-abcdef0123456789abcdef0123456789-0123456789abcdef-01']);

    // The API without an SDK: a non-recording span with no valid context.
    const noop = otelCallTracer(trace.getTracer('none'));
    const untraced = capture(undefined);
    await noop.call('echo', untraced.send);
    expect(untraced.seen).toEqual([undefined]);
  });
});
