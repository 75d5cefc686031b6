/**
 * Every kind of bad input gets a typed error reply and leaves the connection (and every other
 * connection) serving; only protocol abuse closes a socket, with its documented code.
 */
import { CLOSE_CODES, type Codec, superjsonCodec } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { connect, rawSocket, startServer } from './fixtures.js';

/** Proves a raw socket still serves calls after whatever it sent before. */
async function stillServes(raw: Awaited<ReturnType<typeof rawSocket>>, id = 900) {
  raw.send(`{"t":"call","id":${id},"p":"echo","d":{"id":${id},"text":"alive"}}`);
  const reply = await raw.next((m) => m.id === id);
  expect(reply).toMatchObject({ t: 'result', d: { id, text: 'alive', echoed: true } });
}

describe('bad input', () => {
  it('malformed JSON: BAD_REQUEST error frame, connection stays up', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"call","id":1,');
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({
      e: { code: 'BAD_REQUEST', message: 'malformed JSON' },
    });
    await stillServes(raw);
  });

  it('binary garbage: BAD_REQUEST error frame, connection stays up', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send(Buffer.from([0xff, 0x00, 0x13, 0x37]));
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({ e: { code: 'BAD_REQUEST' } });
    await stillServes(raw);
  });

  it('a JSON value that is not a message (number, empty array): BAD_REQUEST', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('42');
    raw.send('[]');
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({ e: { code: 'BAD_REQUEST' } });
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({ e: { code: 'BAD_REQUEST' } });
    await stillServes(raw);
  });

  it('unknown message kind: BAD_REQUEST naming the kind, with the id when there is one', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"launch","id":5}');
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({
      id: 5,
      e: { code: 'BAD_REQUEST', message: 'unknown message kind "launch"' },
    });
    await stillServes(raw);
  });

  it('codec metadata that does not fit: BAD_REQUEST for that call id, checked before superjson walks it', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    // A string where superjson expects a tree would make it recurse until the stack overflows.
    raw.send('{"t":"call","id":3,"p":"echo","d":{"id":1,"text":"x"},"m":{"values":{"text":"Date"},"v":1}}');
    expect(await raw.next((m) => m.id === 3)).toMatchObject({
      t: 'error',
      e: { code: 'BAD_REQUEST', message: 'payload metadata: malformed value annotations' },
    });
    // Well-shaped metadata that still does not fit the value.
    raw.send(
      '{"t":"call","id":4,"p":"echo","d":{"id":1,"text":"x"},"m":{"values":{"id":["bigint"],"text":[["custom","nope"]]},"v":1}}',
    );
    expect(await raw.next((m) => m.id === 4)).toMatchObject({
      t: 'error',
      e: { code: 'BAD_REQUEST', message: 'payload metadata does not fit the payload' },
    });
    await stillServes(raw);
  });

  it('an app codec that throws on a peer payload: BAD_REQUEST, not INTERNAL', async () => {
    const strict: Codec = {
      encode: (value) => superjsonCodec.encode(value),
      decode(json) {
        if (typeof json === 'object' && json !== null && 'poison' in json)
          throw new TypeError('cannot decode');
        return json;
      },
    };
    await using server = await startServer({ codec: strict });
    await using raw = await rawSocket(server);
    raw.send('{"t":"call","id":5,"p":"echo","d":{"poison":true}}');
    expect(await raw.next((m) => m.id === 5)).toMatchObject({
      t: 'error',
      e: { code: 'BAD_REQUEST', message: 'payload could not be decoded' },
    });
    await stillServes(raw);
  });

  it('unknown procedure: NOT_FOUND for that call id', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"call","id":7,"p":"nope"}');
    raw.send('{"t":"call","id":8,"p":"__proto__"}');
    expect(await raw.next((m) => m.id === 7)).toMatchObject({ t: 'error', e: { code: 'NOT_FOUND' } });
    expect(await raw.next((m) => m.id === 8)).toMatchObject({ t: 'error', e: { code: 'NOT_FOUND' } });
    await stillServes(raw);
  });

  it('invalid input: BAD_REQUEST with zod issues', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"call","id":3,"p":"echo","d":{"id":"x"}}');
    const reply = await raw.next((m) => m.id === 3);
    expect(reply).toMatchObject({
      t: 'error',
      e: { code: 'BAD_REQUEST', details: { issues: expect.any(Array) } },
    });
    await stillServes(raw);
  });

  it('oversized frame: PAYLOAD_TOO_LARGE for that call id, connection stays up', async () => {
    await using server = await startServer({ limits: { maxMessageBytes: 1024 } });
    await using raw = await rawSocket(server);
    raw.send(`{"t":"call","id":11,"p":"echo","d":{"id":11,"text":"${'x'.repeat(2000)}"}}`);
    expect(await raw.next((m) => m.id === 11)).toMatchObject({
      t: 'error',
      e: { code: 'PAYLOAD_TOO_LARGE', details: { limit: 1024 } },
    });
    await stillServes(raw);
  });

  it('frame above the hard frame limit: ws closes with 1009, other connections unaffected', async () => {
    await using server = await startServer({ limits: { maxMessageBytes: 1024, maxFrameBytes: 4096 } });
    await using raw = await rawSocket(server);
    await using other = await rawSocket(server);
    raw.send('x'.repeat(5000));
    expect((await raw.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG.code);
    await stillServes(other);
  });

  it('client rejects a call above the server-announced limit before sending it', async () => {
    await using server = await startServer({ limits: { maxMessageBytes: 1024 } });
    await using client = connect(server);
    await client.ready();
    await expect(client.call.echo({ id: 1, text: 'y'.repeat(2000) })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    await expect(client.call.echo({ id: 2, text: 'small' })).resolves.toMatchObject({ id: 2 });
  });

  it('duplicate call id while the first is in flight: BAD_REQUEST for the duplicate, the first still answers', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"call","id":20,"p":"slow","d":{"ms":100}}');
    raw.send('{"t":"call","id":20,"p":"echo","d":{"id":1,"text":"dup"}}');
    expect(await raw.next((m) => m.id === 20)).toMatchObject({
      t: 'error',
      e: { code: 'BAD_REQUEST', message: 'call id 20 is already in flight' },
    });
    expect(await raw.next((m) => m.id === 20)).toMatchObject({ t: 'result', d: 'done' });
  });

  it('a result for an unknown call id: BAD_REQUEST without id, connection stays up', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send('{"t":"result","id":12345,"d":true}');
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({
      e: { code: 'BAD_REQUEST', message: 'result for unknown call id 12345' },
    });
    await stillServes(raw);
  });

  it('a call before the handshake: UNAUTHORIZED for that id; hello afterwards still works', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server, { hello: false });
    raw.send('{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"early"}}');
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'error', e: { code: 'UNAUTHORIZED' } });
    raw.send('{"t":"hello"}');
    await raw.next((m) => m.t === 'welcome');
    await stillServes(raw);
  });

  it('repeated malformed frames are protocol abuse: closed with 4000', async () => {
    await using server = await startServer({ limits: { maxProtocolErrors: 3 } });
    await using raw = await rawSocket(server);
    for (let i = 0; i < 5; i++) raw.send('not json');
    expect((await raw.closed).code).toBe(CLOSE_CODES.PROTOCOL_ERROR.code);
  });

  it('a batch frame carries several messages and each is answered', async () => {
    await using server = await startServer();
    await using raw = await rawSocket(server);
    raw.send(
      '[{"t":"call","id":1,"p":"echo","d":{"id":1,"text":"a"}},{"t":"bogus"},{"t":"call","id":2,"p":"echo","d":{"id":2,"text":"b"}}]',
    );
    expect(await raw.next((m) => m.id === 1)).toMatchObject({ t: 'result' });
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({ e: { code: 'BAD_REQUEST' } });
    expect(await raw.next((m) => m.id === 2)).toMatchObject({ t: 'result' });
  });

  it('a flood of bad frames on one connection does not disturb another', async () => {
    await using server = await startServer();
    await using bad = await rawSocket(server);
    await using client = connect(server);
    for (let i = 0; i < 10; i++) bad.send('{"t":"call","id":1,"p":"nope"}');
    await expect(client.call.echo({ id: 1, text: 'fine' })).resolves.toMatchObject({ echoed: true });
  });
});
