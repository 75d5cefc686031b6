/**
 * OpenTelemetry across the wire: a call made in a real Chromium page (client span, from
 * `@sockkit/client/otel`) and served by a real server (`@sockkit/server/tracing`) is one trace,
 * the page's span the parent of the server's, which is the parent of what the handler opens.
 * Spans are collected with the SDK's in-memory exporter on both sides.
 */
import type { Server } from 'node:http';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createSockkitTracing } from '@sockkit/server/tracing';
import { findChromium } from '@sockkit/testing';
import { openChromium, type TestChromium } from '@sockkit/testing/chromium';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, servePage } from './browser-page.js';
import { connect, handlers, rawSocket, startServer } from './fixtures.js';

const executablePath = findChromium();

/** The page: a traced client; `window.call(kind)` calls and returns the page's finished spans. */
const PAGE_SCRIPT = `
import { createSockkitClient } from '@sockkit/client';
import { otelCallTracer } from '@sockkit/client/otel';
import { defineContract } from '@sockkit/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
const contract = defineContract({
  server: {
    echo: { input: z.object({ id: z.number(), text: z.string() }), output: z.object({ id: z.number(), text: z.string(), echoed: z.boolean() }) },
    fail: { input: z.enum(['sockkit', 'plain', 'output']), output: z.string() },
  },
});
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const query = new URLSearchParams(location.search);
const client = createSockkitClient({ url: query.get('ws'), contract, tracer: otelCallTracer(provider.getTracer('page')) });
const spans = () => exporter.getFinishedSpans().map((s) => ({
  name: s.name, kind: s.kind, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId,
  parent: s.parentSpanContext?.spanId, attributes: s.attributes, status: s.status.code,
}));
window.call = async (kind) => {
  exporter.reset();
  const outcome = kind === 'echo'
    ? await client.call.echo({ id: 1, text: 'traced' }).then(() => 'OK')
    : await client.call.fail('sockkit').catch((e) => e.code);
  return { outcome, spans: spans() };
};
window.ready = client.ready().then(() => true);
`;

interface PageSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parent: string | undefined;
  attributes: Record<string, unknown>;
  status: number;
}

/** The server's tracer, its in-memory exporter, and a context manager so handler spans nest. */
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const serverTracer = provider.getTracer('server');
const contextManager = new AsyncLocalStorageContextManager();

/** A server whose `echo` opens a span of its own inside the call's. */
function tracedServer(overrides: Parameters<typeof startServer>[0] = {}) {
  return startServer({
    observers: [createSockkitTracing({ tracer: serverTracer })],
    handlers: {
      ...handlers,
      echo: (input) => {
        serverTracer.startSpan('db.lookup').end();
        return { ...input, echoed: true };
      },
    },
    ...overrides,
  });
}

const serverSpans = () => exporter.getFinishedSpans();
const byName = (spans: readonly ReadableSpan[], name: string) => spans.find((s) => s.name === name);

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
afterEach(() => exporter.reset());

describe('tracing from a Node client', () => {
  it('sends no traceparent without a tracer, and the server span is then a root', async () => {
    await using server = await tracedServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"x"}}');
    await raw.next((m) => m.id === 1);
    const span = byName(serverSpans(), 'echo');
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.attributes).toMatchObject({
      'rpc.system': 'sockkit',
      'rpc.method': 'echo',
      'sockkit.code': 'OK',
      'sockkit.request.bytes': Buffer.byteLength('{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"x"}}'),
    });
    expect(byName(serverSpans(), 'db.lookup')?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);

    // A client with no tracer puts no tp in its frames.
    const frames: string[] = [];
    await using client = connect(server);
    await client.ready();
    const socket = [...server.connections.values()].at(-1) as unknown as {
      ws: { on(e: 'message', f: (d: Buffer) => void): void };
    };
    socket.ws.on('message', (data) => frames.push(data.toString()));
    await client.call.echo({ id: 2, text: 'y' });
    expect(frames).toHaveLength(1);
    expect(frames[0]).not.toContain('"tp"');
  });

  it("makes the server span a child of the caller's traceparent", async () => {
    await using server = await tracedServer();
    await using raw = await rawSocket(server);
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    raw.send(`{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"x"},"tp":"${tp}"}`);
    await raw.next((m) => m.id === 1);
    const span = byName(serverSpans(), 'echo');
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext).toMatchObject({ spanId: 'b7ad6b7169203331', isRemote: true });
    // A malformed traceparent is a bad call, answered by id; the connection stays up.
    raw.send('{"t":"call","id":2,"p":"echo","d":{"id":1,"text":"x"},"tp":"00-zz"}');
    expect(await raw.next((m) => m.id === 2)).toMatchObject({ t: 'error', e: { code: 'BAD_REQUEST' } });
    raw.send('{"t":"call","id":3,"p":"echo","d":{"id":1,"text":"x"}}');
    expect(await raw.next((m) => m.id === 3)).toMatchObject({ t: 'result' });
  });
});

describe('calls the caller did not sample', () => {
  it("get no server span, whatever the sampler: the handler runs in the caller's context", async () => {
    // A sampler that records everything, parents or not: only sockkit can skip the span.
    const always = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new SimpleSpanProcessor(always)],
    }).getTracer('always');
    await using server = await startServer({
      observers: [createSockkitTracing({ tracer })],
      handlers: {
        ...handlers,
        echo: (input) => {
          tracer.startSpan('db.lookup').end();
          return { ...input, echoed: true };
        },
      },
    });
    await using raw = await rawSocket(server);
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    raw.send(`{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"x"},"tp":"${tp}"}`);
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'result' });
    const spans = always.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['db.lookup']);
    expect(spans[0]?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(spans[0]?.parentSpanContext).toMatchObject({ spanId: 'b7ad6b7169203331', isRemote: true });
  });
});

describe.skipIf(!executablePath)('tracing from a Chromium page', () => {
  let chromium: TestChromium;
  let page: { http: Server; origin: string };
  let tab: Page;
  let server: Awaited<ReturnType<typeof tracedServer>>;

  beforeAll(async () => {
    page = await servePage(await bundlePage(PAGE_SCRIPT));
    server = await tracedServer({ allowedOrigins: '*' });
    chromium = await openChromium(executablePath!, 'tracing');
    tab = await chromium.context.newPage();
    await tab.goto(`${page.origin}/?ws=${encodeURIComponent(`ws://127.0.0.1:${server.port}/`)}`);
    await tab.waitForFunction(() => (window as unknown as { ready: Promise<boolean> }).ready);
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close({ timeout: 1000 });
    page?.http.close();
  });

  const callFromPage = (kind: 'echo' | 'fail') =>
    tab.evaluate(
      (k) =>
        (window as unknown as { call(k: string): Promise<{ outcome: string; spans: PageSpan[] }> }).call(k),
      kind,
    );

  it('a call from the page is one trace: page span → server span → handler span', async () => {
    const { outcome, spans } = await callFromPage('echo');
    expect(outcome).toBe('OK');
    expect(spans).toHaveLength(1);
    const client = spans[0]!;
    expect(client).toMatchObject({
      name: 'echo',
      kind: SpanKind.CLIENT,
      parent: undefined,
      attributes: { 'rpc.system': 'sockkit', 'rpc.method': 'echo', 'sockkit.code': 'OK' },
    });
    await expect.poll(() => serverSpans().length).toBe(2);
    const call = byName(serverSpans(), 'echo')!;
    const inner = byName(serverSpans(), 'db.lookup')!;
    expect(call.spanContext().traceId).toBe(client.traceId);
    expect(call.parentSpanContext?.spanId).toBe(client.spanId);
    expect(inner.spanContext().traceId).toBe(client.traceId);
    expect(inner.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(call.attributes['sockkit.response.bytes']).toBeGreaterThan(0);
  });

  it('a failed call is an error on both sides, with its code', async () => {
    const { outcome, spans } = await callFromPage('fail');
    expect(outcome).toBe('CONFLICT');
    expect(spans[0]).toMatchObject({
      attributes: { 'sockkit.code': 'CONFLICT' },
      status: SpanStatusCode.ERROR,
    });
    await expect.poll(() => serverSpans().length).toBe(1);
    const call = serverSpans()[0]!;
    expect(call.spanContext().traceId).toBe(spans[0]!.traceId);
    expect(call.attributes['sockkit.code']).toBe('CONFLICT');
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
  });
});
