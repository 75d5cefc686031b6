/**
 * What the server does with broker events beyond messages: history lost under live
 * subscribers (a gap, or a new epoch mid-stream) reaches clients as `recovered: false`; and
 * calls addressed by connection id or user key.
 */
import type { BrokerListener } from '@sockkit/server';
import { MemoryBroker } from '@sockkit/server';
import { describe, expect, it } from 'vitest';
import { connect, startServer } from './fixtures.js';

/** A memory broker whose listener the test can drive, as a Redis broker's feed would. */
class ScriptedBroker extends MemoryBroker {
  emitEvent: BrokerListener = () => {};
  override listen(listener: BrokerListener): void {
    this.emitEvent = listener;
    super.listen(listener);
  }
}

const until = (predicate: () => boolean) => expect.poll(predicate, { timeout: 5000 }).toBe(true);

describe('history lost under live subscribers', () => {
  it('a gap the broker could not fill reaches the client as recovered: false at the new position', async () => {
    const broker = new ScriptedBroker();
    await using server = await startServer({ broker });
    await using client = connect(server);
    const flags: boolean[] = [];
    const got: (number | undefined)[] = [];
    const sub = client.subscribe.news(undefined, (m) => got.push(m.n));
    sub.on('recovered', (ok) => flags.push(ok));
    await sub.ready;
    const { epoch } = await server.publish.news(undefined, { n: 1 });
    broker.emitEvent('news', {
      kind: 'gap',
      from: { epoch, offset: 1 },
      to: { epoch, offset: 5 },
    });
    await until(() => flags.length === 2);
    expect(flags).toEqual([true, false]);
    expect(sub.position).toEqual({ epoch, offset: 5 });
    broker.emitEvent('news', {
      kind: 'message',
      epoch,
      offset: 6,
      payload: { json: '{"n":6}', meta: undefined },
    });
    await until(() => got.length === 2);
    expect(got).toEqual([1, 6]);
  });

  it('a new epoch in the middle of a stream is announced before its first message', async () => {
    const broker = new ScriptedBroker();
    await using server = await startServer({ broker });
    await using client = connect(server);
    const events: string[] = [];
    const sub = client.subscribe.news(undefined, (m, info) =>
      events.push(`msg ${m.n}@${info.epoch}:${info.offset}`),
    );
    sub.on('recovered', (ok) => events.push(`recovered ${ok}`));
    await sub.ready;
    const { epoch } = await server.publish.news(undefined, { n: 1 });
    broker.emitEvent('news', {
      kind: 'message',
      epoch: 'fresh',
      offset: 1,
      payload: { json: '{"n":100}', meta: undefined },
    });
    await until(() => events.length === 4);
    expect(events).toEqual(['recovered true', `msg 1@${epoch}:1`, 'recovered false', 'msg 100@fresh:1']);
  });
});

describe('calls by connection id and by user', () => {
  it('server.connection(id) calls a client; server.user(key) calls all of a user’s connections', async () => {
    await using server = await startServer();
    const answer = (name: string) => ({
      confirm: ({ question }: { question: string }) => question === `${name}?`,
    });
    await using phone = connect(server, { params: () => ({ token: 'alice' }), handlers: answer('phone') });
    await using laptop = connect(server, { params: () => ({ token: 'alice' }), handlers: answer('laptop') });
    await using bob = connect(server, { params: () => ({ token: 'bob' }), handlers: answer('bob') });
    await Promise.all([phone.ready(), laptop.ready(), bob.ready()]);
    await expect(server.connection(phone.connectionId!).call.confirm({ question: 'phone?' })).resolves.toBe(
      true,
    );
    const results = await server.user('alice').call.confirm({ question: 'laptop?' });
    expect(results.map((r) => [r.conn, r.ok && r.value]).sort()).toEqual(
      [
        [phone.connectionId, false],
        [laptop.connectionId, true],
      ].sort(),
    );
    await expect(server.user('nobody').call.confirm({ question: 'x' })).resolves.toEqual([]);
    await expect(server.connection('no-such-conn').call.confirm({ question: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
