/**
 * `@sockkit/server/tracing`: an OpenTelemetry span for each call a client makes, with
 * `@opentelemetry/api` (an optional peer dependency, loaded only by this entry). The span is a
 * child of the caller's span when the call frame carries its `traceparent` (`tp`), so a call
 * from a traced client is one trace from the browser to the handler; the handler runs with the
 * span active, so spans it opens are children of it (on Node that needs a context manager,
 * which the OpenTelemetry Node SDK registers).
 *
 * The per-call path does as little as the span's fate allows, since it runs at the call rate:
 * a caller that did not sample its call (`tp` flags without the sampled bit) gets no span at
 * all, only its context around the handler, so what the handler opens follows the caller's
 * decision; a span the sampler did not record gets no attributes; a recorded one gets them in
 * one `setAttributes` at each end (after sampling: a sampler sees the name, i.e. the procedure,
 * and the kind).
 *
 * @packageDocumentation
 */
import {
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CallEnd, CallEvent, CallWatch, ServerObserver } from './observer.js';

/** Options of {@link createSockkitTracing}. */
export interface SockkitTracingOptions {
  /** The tracer spans come from. Default: `trace.getTracer('@sockkit/server')`. */
  tracer?: Tracer;
}

/** Span attributes sockkit sets (besides OpenTelemetry's `rpc.system` and `rpc.method`). */
export const SPAN_ATTRIBUTES = {
  /** `OK` or the error code the call was answered with. */
  code: 'sockkit.code',
  /** Bytes of the request (see `CallEvent.bytes`). */
  requestBytes: 'sockkit.request.bytes',
  /** Bytes of the answer frame. */
  responseBytes: 'sockkit.response.bytes',
  /** The connection's id. */
  connection: 'sockkit.connection',
} as const;

/** Every server span's options: one object for all of them. */
const SERVER_SPAN: SpanOptions = { kind: SpanKind.SERVER };

/**
 * Creates the observer that traces calls; register it on the server.
 *
 * @example
 * ```ts
 * import { createSockkitTracing } from '@sockkit/server/tracing';
 *
 * const tracing = createSockkitTracing();
 * // createSockkitServer({ contract, observers: [tracing] })
 * ```
 */
export function createSockkitTracing(options: SockkitTracingOptions = {}): ServerObserver {
  const tracer = options.tracer ?? trace.getTracer('@sockkit/server');
  return {
    callStarted(call: CallEvent): CallWatch {
      const tp = call.traceparent;
      let parent: Context;
      if (tp === undefined) parent = context.active();
      else {
        const remote = remoteSpanContext(tp);
        parent = trace.setSpanContext(ROOT_CONTEXT, remote);
        // The caller chose not to record this trace: follow it without asking the tracer.
        if ((remote.traceFlags & TraceFlags.SAMPLED) === 0) return new Untraced(parent);
      }
      const span = tracer.startSpan(call.procedure, SERVER_SPAN, parent);
      const active = trace.setSpan(parent, span);
      if (!span.isRecording()) return new Untraced(active);
      span.setAttributes({
        'rpc.system': 'sockkit',
        'rpc.method': call.procedure,
        [SPAN_ATTRIBUTES.requestBytes]: call.bytes,
        [SPAN_ATTRIBUTES.connection]: call.conn.id,
      });
      return new Traced(active, span);
    },
  };
}

/** A call with no span recorded: its handler runs in the trace context it belongs to, and that is all. */
class Untraced implements CallWatch {
  constructor(private readonly active: Context) {}

  run<T>(handler: () => T): T {
    return context.with(this.active, handler);
  }

  finished(): void {}
}

/** A call with a recorded span: ended with the call's code and answer size. */
class Traced implements CallWatch {
  constructor(
    private readonly active: Context,
    private readonly span: Span,
  ) {}

  run<T>(handler: () => T): T {
    return context.with(this.active, handler);
  }

  finished({ code, bytes }: CallEnd): void {
    const { span } = this;
    span.setAttributes({ [SPAN_ATTRIBUTES.code]: code, [SPAN_ATTRIBUTES.responseBytes]: bytes });
    if (code !== 'OK') span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    span.end();
  }
}

/**
 * The caller's span context from its traceparent. The server's reader let only version-00
 * ones through (`TRACEPARENT`: fixed positions, lower-case hex), so slicing is parsing.
 */
function remoteSpanContext(traceparent: string): SpanContext {
  return {
    traceId: traceparent.slice(3, 35),
    spanId: traceparent.slice(36, 52),
    traceFlags: Number.parseInt(traceparent.slice(53, 55), 16),
    isRemote: true,
  };
}
