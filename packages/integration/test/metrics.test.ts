/**
 * `@sockkit/server/metrics` scraped over HTTP, the way Prometheus does, during real traffic on
 * real sockets: every figure is checked against what the test did.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSockkitMetrics } from '@sockkit/server/metrics';
import { describe, expect, it, vi } from 'vitest';
import { connect, rawSocket, startServer, stubborn } from './fixtures.js';

/** Parses the Prometheus text format into `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function serveMetrics(handler: ReturnType<typeof createSockkitMetrics>['handler']) {
  const http = createServer((req, res) => {
    if (req.url === '/metrics') return void handler(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/metrics`;
  return {
    async scrape() {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parse(await response.text());
    },
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

describe('Prometheus metrics', () => {
  it('counts what the test did, scraped over HTTP while traffic runs', async () => {
    const metrics = createSockkitMetrics();
    await using endpoint = await serveMetrics(metrics.handler);
    await using server = await startServer({ node: 'n1', observers: [metrics.observer] });
    await using alice = connect(server, { params: () => ({ token: 'alice' }) });
    await using bob = connect(server);
    await using raw = await rawSocket(server);

    await Promise.all(Array.from({ length: 25 }, (_, i) => alice.call.echo({ id: i, text: 'x' })));
    for (let i = 0; i < 3; i++)
      await expect(bob.call.fail('sockkit')).rejects.toMatchObject({ code: 'CONFLICT' });
    raw.send('{"t":"call","id":1,"p":"nope"}');
    await raw.next((m) => m.id === 1);
    raw.send('not json');
    await raw.next((m) => m.t === 'error' && m.id === undefined);

    const got: unknown[] = [];
    await alice.subscribe.chat({ room: 'r1' }, (m) => got.push(m)).ready;
    await bob.subscribe.chat({ room: 'r1' }, (m) => got.push(m)).ready;
    for (let i = 0; i < 4; i++) await alice.publish.chat({ room: 'r1' }, { text: `m${i}` });
    await server.publish.news(undefined, { n: 1 });
    await server.publish.news(undefined, { n: 2 });
    await vi.waitFor(() => expect(got).toHaveLength(8));

    await using refused = await rawSocket(server, { hello: false });
    refused.send('{"t":"hello","params":{"token":"bad"}}');
    await refused.closed;

    // A call still running while Prometheus scrapes.
    const running = alice.call.stubborn({ key: 'metrics' });
    await vi.waitFor(() => expect(stubborn.running.has('metrics')).toBe(true));

    const m = await endpoint.scrape();
    expect(m.get('sockkit_connections{node="n1"}')).toBe(3);
    expect(m.get('sockkit_connections_opened_total')).toBe(3);
    expect(m.get('sockkit_calls_total{procedure="echo",code="OK"}')).toBe(25);
    expect(m.get('sockkit_calls_total{procedure="fail",code="CONFLICT"}')).toBe(3);
    expect(m.get('sockkit_calls_total{procedure="(unknown)",code="NOT_FOUND"}')).toBe(1);
    expect(m.get('sockkit_call_duration_seconds_count{procedure="echo"}')).toBe(25);
    expect(m.get('sockkit_call_duration_seconds_bucket{le="+Inf",procedure="echo"}')).toBe(25);
    expect(m.get('sockkit_calls_in_flight{procedure="stubborn"}')).toBe(1);
    expect(m.get('sockkit_calls_in_flight{procedure="echo"}')).toBe(0);
    expect(m.get('sockkit_messages_published_total{topic="chat",origin="client"}')).toBe(4);
    expect(m.get('sockkit_messages_published_total{topic="news",origin="server"}')).toBe(2);
    expect(m.get('sockkit_deliveries_total{topic="chat",kind="message"}')).toBe(8);
    expect(m.get('sockkit_subscriptions{node="n1",topic="chat"}')).toBe(2);
    expect(m.get('sockkit_presence_members{node="n1",topic="chat"}')).toBe(0);
    expect(m.get('sockkit_handshakes_refused_total{reason="unauthorized"}')).toBe(1);
    expect(m.get('sockkit_protocol_errors_total')).toBe(1);
    expect(m.get('sockkit_received_bytes_total')).toBeGreaterThan(0);
    expect(m.get('sockkit_sent_bytes_total')).toBeGreaterThan(0);
    // No channel key, user or connection id ever becomes a label.
    const ids = [alice.connectionId, bob.connectionId];
    for (const name of m.keys()) {
      const labels = name.slice(name.indexOf('{') + 1);
      expect(labels).not.toMatch(/r1|alice/);
      for (const id of ids) expect(labels).not.toContain(id);
    }

    stubborn.release('metrics');
    await running;
    await bob.close();
    await vi.waitFor(async () =>
      expect((await endpoint.scrape()).get('sockkit_connections{node="n1"}')).toBe(2),
    );
    const after = await endpoint.scrape();
    expect(after.get('sockkit_connections_closed_total{code="1000"}')).toBe(1);
    expect(after.get('sockkit_calls_total{procedure="stubborn",code="OK"}')).toBe(1);
    expect(after.get('sockkit_calls_in_flight{procedure="stubborn"}')).toBe(0);
    expect(after.get('sockkit_subscriptions{node="n1",topic="chat"}')).toBe(1);
  });

  it('counts presence members, volatile drops and slow-consumer closes', async () => {
    const metrics = createSockkitMetrics({ prefix: 'app_' });
    await using endpoint = await serveMetrics(metrics.handler);
    await using server = await startServer({
      observers: [metrics.observer],
      limits: { softBufferedBytes: 0, maxBufferedBytes: 64 * 1024 },
    });
    await using alice = connect(server, { params: () => ({ token: 'alice' }) });
    await alice.subscribe.chat({ room: 'p' }, () => {}, { presence: { name: 'Alice' } }).ready;
    let m = await endpoint.scrape();
    expect(m.get(`app_presence_members{node="${server.node}",topic="chat"}`)).toBe(1);

    // Volatile frames above softBufferedBytes (0 here: any queued frame) are dropped; a frame
    // that would pass maxBufferedBytes closes the connection as a slow consumer.
    await using raw = await rawSocket(server);
    raw.send('{"t":"sub","id":1,"topic":"cursor","params":{"doc":"d"}}');
    raw.send('{"t":"sub","id":2,"topic":"blobs","params":{"id":"b"}}');
    await raw.next((m) => m.t === 'subscribed' && m.id === 2);
    const conn = [...server.connections.values()].find((c) => c.id !== alice.connectionId);
    await Promise.all(Array.from({ length: 5 }, (_, i) => server.publish.cursor({ doc: 'd' }, { pos: i })));
    const dropped = (conn as unknown as { droppedVolatile: number }).droppedVolatile;
    expect(dropped).toBeGreaterThan(0);
    await server.publish.blobs({ id: 'b' }, { data: 'b'.repeat(100 * 1024) });
    expect((await raw.closed).code).toBe(4009);
    await vi.waitFor(async () =>
      expect((await endpoint.scrape()).get('app_connections_closed_total{code="4009"}')).toBe(1),
    );
    m = await endpoint.scrape();
    expect(m.get('app_volatile_dropped_total')).toBe(dropped);
    expect(m.get('app_slow_consumer_closes_total')).toBe(1);
  });
});
