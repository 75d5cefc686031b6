// The README's quick start, kept compiling and running by test/quickstart.test.ts.
import { createSockkitClient } from '@sockkit/client/node'; // in a browser: '@sockkit/client'
import { defineContract } from '@sockkit/core';
import { createSockkitServer } from '@sockkit/server';
import { z } from 'zod';

// 1. One contract, shared by both sides.
export const contract = defineContract({
  server: { greet: { input: z.object({ name: z.string() }), output: z.string() } },
  client: { confirm: { input: z.object({ question: z.string() }), output: z.boolean() } },
  topics: {
    chat: {
      params: z.object({ room: z.string() }),
      message: z.object({ text: z.string() }),
      publish: 'client',
    },
  },
});

export async function quickstart(): Promise<string[]> {
  // 2. The server: typed handlers, validated input.
  const server = createSockkitServer({
    contract,
    port: 0,
    handlers: {
      greet: async ({ name }, ctx) => {
        const sure = await ctx.conn.call.confirm({ question: `Are you ${name}?` });
        return sure ? `hello ${name}` : 'hello stranger';
      },
    },
  });
  await server.ready;

  // 3. The client: typed calls, handlers for the server's calls, subscriptions.
  const client = createSockkitClient({
    url: `ws://127.0.0.1:${server.port}`,
    contract,
    handlers: { confirm: ({ question }) => question.includes('Ada') },
  });
  const seen: string[] = [await client.call.greet({ name: 'Ada' })];
  const room = client.subscribe.chat({ room: 'lobby' });
  await room.ready;
  const next = new Promise((resolve) => room.on('message', (message) => resolve(seen.push(message.text))));
  await client.publish.chat({ room: 'lobby' }, { text: 'hi all' });
  await next;

  await client.close();
  await server.close();
  return seen;
}
