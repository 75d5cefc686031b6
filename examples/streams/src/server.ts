/**
 * The example's server: the page and the sockkit endpoint on one port. The answer stream stands
 * for a model: a token every TOKEN_MS (default 40) ms, stopping as soon as the reader cancels.
 * It prints one line per stream that ended, so you (and the test) can see a Stop reach it.
 * PORT (default 3000) and HOST (default 127.0.0.1) configure where it listens.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createSockkitServer } from '@sockkit/server';
import { streamsContract } from './contract.js';

const webRoot = fileURLToPath(new URL('./web/', import.meta.url));
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript' };
const tokenMs = Number(process.env.TOKEN_MS ?? 40);

const http = createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  const file = path === '/' ? 'index.html' : path.slice(1);
  if (!/^[\w.-]+$/.test(file)) return void response.writeHead(404).end();
  try {
    const body = await readFile(join(webRoot, file));
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});

const sockkit = createSockkitServer({
  contract: streamsContract,
  server: http,
  path: '/ws',
  streams: {
    answer: async function* ({ prompt }, { signal }) {
      let tokens = 0;
      try {
        // A long answer: the words of the prompt, over and over, as a model would ramble on.
        for (let i = 0; i < 500; i++) {
          for (const word of prompt.split(/\s+/)) {
            await sleep(tokenMs, undefined, { signal });
            yield `${word} `;
            tokens++;
          }
        }
        return { tokens };
      } finally {
        console.log(`answer ${signal.aborted ? 'stopped' : 'finished'} after ${tokens} tokens`);
      }
    },
    upload: async (chunks, { name }) => {
      let bytes = 0;
      let sum = 0;
      for await (const chunk of chunks) {
        bytes += chunk.length;
        for (const byte of chunk) sum = (sum + byte) % 65_521;
      }
      console.log(`upload ${name}: ${bytes} bytes`);
      return { name, bytes, sum };
    },
  },
});

http.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`listening on http://localhost:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sockkit.close({ timeout: 2000 }).then(() => http.close(() => process.exit(0)));
  });
}
