/**
 * Options that used to fail silently, later and forever (a client retrying a connect that
 * cannot work, a server keeping its same-origin default), are a TypeError at creation that
 * names the option.
 */
import { createSockkitClient } from '@sockkit/client/node';
import { createSockkitServer, type ServerOptions, type SockkitServer, silentLogger } from '@sockkit/server';
import { describe, expect, it } from 'vitest';
import { contract, handlers, type TestContract } from './fixtures.js';

const url = 'ws://127.0.0.1:1';

/** Creates a client with options TypeScript would refuse, as plain JavaScript could pass them. */
function client(options: Record<string, unknown>) {
  return createSockkitClient({ url, contract, reconnect: false, ...options } as never);
}

/** Creates a server with options TypeScript would refuse (on 127.0.0.1, should one not throw). */
function server(options: Record<string, unknown>): SockkitServer<TestContract, unknown> {
  const defaults = { contract, handlers, logger: silentLogger, host: '127.0.0.1', port: 0 };
  return createSockkitServer({ ...defaults, ...options } as never);
}

describe('client options', () => {
  it.each([
    [{ params: { token: 't' } }, /params must be a function/],
    [{ params: 'token' }, /params must be a function/],
    [{ url: [] }, /url is empty/],
    [{ url: 'localhost:3000' }, /url localhost:3000 is not a ws:\/\/ or wss:\/\/ URL/],
    [{ url: '/ws' }, /url \/ws is not a ws:\/\/ or wss:\/\/ URL/],
    [{ url: ['ws://127.0.0.1:1', 'ftp://x'] }, /url ftp:\/\/x is not/],
    [{ WebSocket: {} }, /the WebSocket option must be a WebSocket constructor/],
    [{ handlers: { confirm: true } }, /handler confirm is not a function/],
    [{ streams: true }, /streams must be the streams export of '@sockkit\/client'/],
  ])('%o is a TypeError at creation', (options, message) => {
    expect(() => client(options)).toThrow(TypeError);
    expect(() => client(options)).toThrow(message);
  });

  it.each([['ws://127.0.0.1:1/ws'], ['wss://example.invalid'], ['http://127.0.0.1:1']])(
    'accepts %s',
    async (accepted) => {
      const c = client({ url: accepted, params: () => ({}) });
      await c.close();
      expect(c.state).toBe('closed');
    },
  );
});

describe('server options', () => {
  it.each([
    [
      { allowedOrigins: 'http://localhost:4173' },
      /allowedOrigins must be '\*', a list of origins or a function/,
    ],
    [{ allowedOrigins: ['http://localhost:4173/'] }, /write it as "http:\/\/localhost:4173"/],
    [{ allowedOrigins: ['https://App.example'] }, /write it as "https:\/\/app.example"/],
    [{ allowedOrigins: ['https://app.example/login'] }, /write it as "https:\/\/app.example"/],
    [{ allowedOrigins: ['app.example'] }, /"app.example" is not an origin like https:\/\/app.example$/],
    [{ allowedOrigins: [42] }, /entry 42 is not an origin/],
    [{ authenticate: { verify: true } }, /authenticate must be a function/],
    [{ handlers: { ...handlers, echo: 'echo' } }, /the handler of 'echo' is not a function/],
    [{ handlers: { ...handlers, echo: undefined } }, /the handler of 'echo' is not a function/],
  ])('%o is a TypeError at creation', (options, message) => {
    expect(() => server(options)).toThrow(TypeError);
    expect(() => server(options)).toThrow(message);
  });

  it('still names a missing handler', () => {
    const { echo: _, ...rest } = handlers;
    expect(() => server({ handlers: rest })).toThrow("sockkit: no handler for server procedure 'echo'");
  });

  it('accepts origins as browsers send them, null, a function and *', async () => {
    const accepted: ServerOptions<TestContract, unknown>['allowedOrigins'][] = [
      ['https://app.example', 'http://127.0.0.1:4173', 'https://[::1]:8443', 'null'],
      () => true,
      '*',
    ];
    for (const allowedOrigins of accepted) {
      const s = server({ allowedOrigins });
      await s.ready;
      await s.close();
    }
  });
});
