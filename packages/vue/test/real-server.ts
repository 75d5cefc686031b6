/** A real sockkit server on 127.0.0.1 for the suites that run the composables on a real client. */
import { createSockkitServer } from '@sockkit/server';
import { contract } from './fake-client.js';

/** Starts the test contract's server on a free port; the caller closes it. */
export async function startRealServer() {
  const server = createSockkitServer({
    contract,
    port: 0,
    host: '127.0.0.1',
    handlers: { double: ({ n }) => n * 2, list: () => ['a', 'b'] },
  });
  await server.ready;
  return server;
}
