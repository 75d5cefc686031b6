/**
 * `@sockkit/server/tracing`: an OpenTelemetry span for each call a client makes, with
 * `@opentelemetry/api` (an optional peer dependency, loaded only by this entry). The span is a
 * child of the caller's span when the call frame carries its `traceparent` (`tp`), so a call
 * from a traced client is one trace from the browser to the handler; the handler runs with the
 * span active, so spans it opens are children of it (on Node that needs a context manager,
 * which the OpenTelemetry Node SDK registers).
 *
 * @packageDocumentation
 */
import {
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CallEvent, CallWatch, ServerObserver } from './observer.js';

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
      const parent = parentOf(call.traceparent);
      const span = tracer.startSpan(
        call.procedure,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'rpc.system': 'sockkit',
            'rpc.method': call.procedure,
            [SPAN_ATTRIBUTES.requestBytes]: call.bytes,
            [SPAN_ATTRIBUTES.connection]: call.conn.id,
          },
        },
        parent,
      );
      return {
        run: (handler) => context.with(trace.setSpan(parent, span), handler),
        finished: ({ code, bytes }) => end(span, code, bytes),
      };
    },
  };
}

function end(span: Span, code: string, bytes: number): void {
  span.setAttribute(SPAN_ATTRIBUTES.code, code);
  span.setAttribute(SPAN_ATTRIBUTES.responseBytes, bytes);
  if (code !== 'OK') span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.end();
}

/** The caller's context from its traceparent (checked on the wire), else the active one. */
function parentOf(traceparent: string | undefined): Context {
  if (traceparent === undefined) return context.active();
  const [, traceId, spanId, flags] = traceparent.split('-') as [string, string, string, string];
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  });
}
