/**
 * Issue 12, failure 1, over real sockets: codec metadata that would keep superjson busy for
 * seconds (a key of 20,000 segments over 8,000 children; 30,000 annotations; equality paths
 * deep into a Set; a 1,000,000-digit BigInt; a key under a Set already restored) is refused
 * before superjson runs, wherever a client's payload is decoded: `call` input, `pub`, presence
 * in `sub`, `pset`, and the result of a server → client call. Each gets a BAD_REQUEST error
 * frame carrying the request's id and the budget's reason, as received by a raw socket; the
 * connection stays up, and another connection's call is still answered.
 */
import { describe, expect, it } from 'vitest';
import { connect, rawSocket, startServer } from './fixtures.js';

type Raw = Awaited<ReturnType<typeof rawSocket>>;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const keyed = <T>(n: number, f: (i: number) => T) => Object.fromEntries(range(n).map((i) => [`k${i}`, f(i)]));

/** `d` and `m` of each hostile payload, and the reason the server must give. */
const hostile: [string, { d: unknown; m: unknown }, RegExp][] = [
  [
    "issue 12's key of 20,000 segments over 8,000 children",
    { d: {}, m: { values: { [range(20_000).join('.')]: ['Date', keyed(8000, () => ['undefined'])] }, v: 1 } },
    /more than 64 segments/,
  ],
  [
    '30,000 annotations',
    {
      d: range(30_000).map(() => null),
      m: { values: Object.fromEntries(range(30_000).map((i) => [i, ['undefined']])), v: 1 },
    },
    /more than 20000 annotations/,
  ],
  [
    'equality paths deep into a Set',
    {
      d: { s: range(3000), o: {} },
      m: { values: { s: ['set'] }, referentialEqualities: { o: range(1000).map(() => 's.2999') }, v: 1 },
    },
    /more than 2000000 steps through Sets and Maps/,
  ],
  [
    'a 1,000,000-digit BigInt',
    { d: { n: '7'.repeat(1_000_000) }, m: { values: { n: ['bigint'] }, v: 1 } },
    /BigInt is not a string of at most 4096 characters/,
  ],
  [
    'a key under a Set already restored',
    { d: { a: range(100_000) }, m: { values: { a: ['set'], 'a.99999': ['Date'] }, v: 1 } },
    /reaches into a value an earlier annotation restored/,
  ],
];

const payload = ({ d, m }: { d: unknown; m: unknown }) => `"d":${JSON.stringify(d)},"m":${JSON.stringify(m)}`;

/** Sends one hostile payload the way `kind` carries it; resolves with the id the error must name. */
async function send(raw: Raw, kind: string, id: number, bad: { d: unknown; m: unknown }): Promise<number> {
  switch (kind) {
    case 'call':
      raw.send(`{"t":"call","id":${id},"p":"echo",${payload(bad)}}`);
      return id;
    case 'pub':
      raw.send(`{"t":"pub","id":${id},"topic":"chat","params":{"room":"a"},${payload(bad)}}`);
      return id;
    case 'presence in sub':
      raw.send(`{"t":"sub","id":${id},"topic":"chat","params":{"room":"b"},"presence":{${payload(bad)}}}`);
      return id;
    case 'pset': {
      raw.send(`{"t":"sub","id":${id},"topic":"chat","params":{"room":"c${id}"}}`);
      const { c } = await raw.next((m) => m.id === id && m.t === 'subscribed');
      raw.send(`{"t":"pset","id":${id + 1},"c":${JSON.stringify(c)},${payload(bad)}}`);
      return id + 1;
    }
    default: {
      // The result of a server → client call: `askClient` calls the client's `confirm`, and
      // the refused result fails that call, which fails `askClient` with its error.
      raw.send(`{"t":"call","id":${id},"p":"askClient","d":{"question":"q"}}`);
      const call = await raw.next((m) => m.t === 'call' && m.p === 'confirm');
      raw.send(`{"t":"result","id":${call.id},${payload(bad)}}`);
      return id;
    }
  }
}

describe('codec metadata over budget, from a raw socket', () => {
  it.each(['call', 'pub', 'presence in sub', 'pset', 'result of a server → client call'])(
    'as %s: BAD_REQUEST with the request id, the connection stays up, others are served',
    async (kind) => {
      await using server = await startServer();
      await using raw = await rawSocket(server);
      await using other = connect(server);
      let id = 10;
      for (const [name, bad, reason] of hostile) {
        const errorId = await send(raw, kind, id, bad);
        const reply = await raw.next((m) => m.id === errorId);
        expect(reply, name).toEqual({
          t: 'error',
          id: errorId,
          e: { code: 'BAD_REQUEST', message: expect.stringMatching(/^payload metadata: /) },
        });
        expect((reply.e as { message: string }).message, name).toMatch(reason);
        await expect(other.call.echo({ id, text: 'other' })).resolves.toEqual({
          id,
          text: 'other',
          echoed: true,
        });
        id += 10;
      }
      expect(raw.ws.readyState).toBe(raw.ws.OPEN);
      raw.send(`{"t":"call","id":999,"p":"echo","d":{"id":999,"text":"alive"}}`);
      expect(await raw.next((m) => m.id === 999)).toMatchObject({
        t: 'result',
        d: { id: 999, echoed: true },
      });
    },
  );

  it('still decodes what superjson writes for real values', async () => {
    await using server = await startServer();
    await using client = connect(server);
    const value = {
      date: new Date(1700000000000),
      map: new Map([['k', 1]]),
      set: new Set(range(3000)),
      big: 2n ** 4000n,
      bytes: new Uint8Array([1, 2, 3]),
      re: /x+/g,
      missing: undefined,
    };
    await expect(client.call.types(value)).resolves.toEqual(value);
  });
});
