/**
 * `@sockkit/client/otel`: a client span per call with `@opentelemetry/api` (an optional peer
 * dependency, loaded only by this entry), its context carried to the server in the call frame
 * as a W3C traceparent so the server's span for the call (`@sockkit/server/tracing`) is its
 * child: one trace from the page to the handler.
 *
 * @packageDocumentation
 */
import {
  INVALID_SPANID,
  INVALID_TRACEID,
  isSpanContextValid,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { TRACEPARENT } from '@sockkit/core/protocol';
import type { CallTracer } from './call-tracer.js';

/** Every client span's options: one object for all of them. */
const CLIENT_SPAN: SpanOptions = { kind: SpanKind.CLIENT };

/**
 * A {@link CallTracer} making an OpenTelemetry span of kind CLIENT per call, named for the
 * procedure, a child of the active span, with attributes `rpc.system` (`sockkit`),
 * `rpc.method` and `sockkit.code` (`OK` or the error code). A span the sampler did not record
 * costs no more than its creation: no attributes, no promise of its own; its traceparent says
 * "not sampled", so the server records nothing for the call either.
 *
 * @example
 * ```ts
 * import { createSockkitClient } from '@sockkit/client';
 * import { otelCallTracer } from '@sockkit/client/otel';
 * import { contract } from './contract';
 *
 * const client = createSockkitClient({ url: 'wss://example.com/ws', contract, tracer: otelCallTracer() });
 * ```
 */
export function otelCallTracer(tracer: Tracer = trace.getTracer('@sockkit/client')): CallTracer {
  return {
    call(procedure, send) {
      // A child of the active span; the span need not be active itself while the frame is built.
      const span = tracer.startSpan(procedure, CLIENT_SPAN);
      const traceparent = traceparentOf(span);
      // Not recorded (sampled out, or no SDK): the server is told so by the flags, and there is
      // nothing to end.
      if (!span.isRecording()) return send(traceparent);
      span.setAttributes({ 'rpc.system': 'sockkit', 'rpc.method': procedure });
      return send(traceparent).then(
        (value) => {
          end(span, 'OK');
          return value;
        },
        (error: unknown) => {
          end(span, (error as { code?: unknown } | null)?.code);
          throw error;
        },
      );
    },
  };
}

function end(span: Span, code: unknown): void {
  const label = typeof code === 'string' ? code : 'INTERNAL';
  span.setAttribute('sockkit.code', label);
  if (label !== 'OK') span.setStatus({ code: SpanStatusCode.ERROR, message: label });
  span.end();
}

/** The span's context as a version-00 traceparent; undefined for a span that is no real one (no SDK). */
function traceparentOf(span: Span): string | undefined {
  const ctx = span.spanContext();
  const { traceId, spanId, traceFlags } = ctx;
  const flags =
    traceFlags === TraceFlags.SAMPLED ? '01' : traceFlags === TraceFlags.NONE ? '00' : hex2(traceFlags);
  const traceparent = `00-${traceId}-${spanId}-${flags}`;
  // What the SDK makes goes as it is (lower-case hex of the right lengths): one check per call.
  if (TRACEPARENT.test(traceparent))
    return traceId === INVALID_TRACEID || spanId === INVALID_SPANID ? undefined : traceparent;
  // Upper-case ids (a custom id generator) are valid OpenTelemetry; the wire takes lower case.
  return isSpanContextValid(ctx) ? traceparent.toLowerCase() : undefined;
}

function hex2(flags: number): string {
  return (flags & 0xff).toString(16).padStart(2, '0');
}
