/**
 * The hook a tracer plugs into: the client hands it each call it makes, and it decides what
 * trace context the call frame carries (`tp`, a W3C traceparent). The client itself knows no
 * tracing library; `@sockkit/client/otel` adapts OpenTelemetry to this, and an app that does
 * not trace ships neither.
 */

/** Wraps the calls a client makes (option `tracer`), e.g. `otelCallTracer()` from `@sockkit/client/otel`. */
export interface CallTracer {
  /**
   * Runs one call to `procedure`: must call `send` once, with the traceparent the call frame
   * should carry (or undefined), and return what it returns (the call's result, or its
   * `SockkitError`).
   */
  call<T>(procedure: string, send: (traceparent: string | undefined) => Promise<T>): Promise<T>;
}
