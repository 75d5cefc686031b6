/**
 * The server's debug switch: with `debug: true` (or SOCKKIT_DEBUG=1 in its environment) and a
 * logger that has `debug`, every message in and every frame out is traced there, with the
 * params of `hello` and `auth` (tokens) left out; without it, `logger.debug` is never called.
 */
import type { Logger } from '@sockkit/server';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, rawSocket, startServer } from './fixtures.js';

type Line = { message: string; meta: Record<string, unknown> | undefined };

function debugLogger(): { lines: Line[]; logger: Logger } {
  const lines: Line[] = [];
  return {
    lines,
    logger: { debug: (meta, message) => lines.push({ message, meta }), warn: () => {}, error: () => {} },
  };
}

describe('debug tracing', () => {
  const env = process.env.SOCKKIT_DEBUG;
  afterEach(() => {
    if (env === undefined) delete process.env.SOCKKIT_DEBUG;
    else process.env.SOCKKIT_DEBUG = env;
  });

  it('traces each message in and each frame out as sent, without hello or auth params', async () => {
    const { lines, logger } = debugLogger();
    // The user key comes from the server; the token never appears in a trace.
    const authenticate = () => ({ context: { user: 'ada' }, user: 'ada' });
    await using server = await startServer({ logger, debug: true, authenticate });
    await using client = connect(server, { params: () => ({ token: 's3cret' }) });
    await client.ready();
    await client.call.echo({ id: 7, text: 'traced' });
    await client.updateAuth();
    const conn = client.connectionId;
    const frames = lines.map(
      (l) => `${l.message} ${l.meta?.conn === conn ? '' : 'OTHER CONN '}${l.meta?.text}`,
    );
    expect(frames).toContain('in {"t":"hello","params":"[not logged]"}');
    expect(frames).toContain('in {"t":"call","id":1,"p":"echo","d":{"id":7,"text":"traced"}}');
    expect(frames).toContain('out {"t":"result","id":1,"d":{"id":7,"text":"traced","echoed":true}}');
    expect(frames).toContain('in {"t":"auth","id":2,"params":"[not logged]"}');
    expect(frames.some((f) => f.startsWith('out {"t":"welcome"'))).toBe(true);
    expect(lines.filter((l) => JSON.stringify(l).includes('s3cret'))).toEqual([]);
  });

  it('traces a frame that is not a message as it came, cut to 1,000 characters', async () => {
    const { lines, logger } = debugLogger();
    await using server = await startServer({ logger, debug: true });
    await using raw = await rawSocket(server);
    raw.send(`not json ${'x'.repeat(2000)}`);
    await raw.next((m) => m.t === 'error');
    const traced = lines.find((l) => l.message === 'in' && String(l.meta?.text).startsWith('not json'));
    expect(traced?.meta?.text).toBe(`not json ${'x'.repeat(991)}…`);
    expect(traced?.meta?.bytes).toBe(2009);
  });

  it('is off by default: a logger with debug hears nothing', async () => {
    delete process.env.SOCKKIT_DEBUG;
    const { lines, logger } = debugLogger();
    await using server = await startServer({ logger });
    await using client = connect(server);
    await client.call.echo({ id: 1, text: 'quiet' });
    expect(lines).toEqual([]);
  });

  it('SOCKKIT_DEBUG=1 turns it on; debug: false overrides it', async () => {
    process.env.SOCKKIT_DEBUG = '1';
    const on = debugLogger();
    const off = debugLogger();
    await using traced = await startServer({ logger: on.logger });
    await using quiet = await startServer({ logger: off.logger, debug: false });
    for (const server of [traced, quiet]) {
      await using client = connect(server);
      await client.call.echo({ id: 1, text: 'env' });
    }
    expect(on.lines.some((l) => l.message === 'in' && String(l.meta?.text).includes('"text":"env"'))).toBe(
      true,
    );
    expect(off.lines).toEqual([]);
  });
});
