import { defineContract } from '@sockkit/core';
import { z } from 'zod';

export const contract = defineContract({
  server: {                                   // procedures clients call
    rename: { input: z.object({ id: z.string(), title: z.string().max(200) }), output: z.object({ ok: z.literal(true) }) },
    list: { output: z.array(z.object({ id: z.string(), title: z.string() })), idempotent: true },
  },
  client: {                                   // procedures the server calls on a client
    confirm: { input: z.object({ question: z.string() }), output: z.boolean(), timeout: 10_000 },
    notify: { input: z.object({ text: z.string() }), output: z.void() },
  },
  topics: {
    doc: {
      params: z.object({ id: z.string() }),   // one channel per document
      message: z.object({ version: z.number(), changes: z.unknown() }),
      presence: z.object({ name: z.string(), color: z.string() }),
      publish: 'server',                      // default; 'client' lets clients publish
    },
    cursor: { params: z.object({ id: z.string() }), message: z.object({ head: z.number() }), publish: 'client', volatile: true },
  },
});
