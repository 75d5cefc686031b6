/** The contract the tests run against: calls with and without input, topics with presence and publishing. */
import { defineContract } from '@sockkit/core';
import * as z from 'zod';

export const contract = defineContract({
  server: {
    double: { input: z.object({ n: z.number() }), output: z.number() },
    list: { output: z.array(z.string()) },
    /** Answers when the test releases it, or never; reports its abort. */
    slow: { input: z.object({ tag: z.string() }), output: z.string() },
    missing: { input: z.object({ id: z.string() }), output: z.string() },
    /** The texts the test stored for a room (what a query caches and a topic updates). */
    texts: { input: z.object({ id: z.string() }), output: z.array(z.string()) },
  },
  topics: {
    room: {
      params: z.object({ id: z.string() }),
      message: z.object({ text: z.string() }),
      presence: z.object({ name: z.string() }),
    },
    chat: {
      params: z.object({ room: z.string() }),
      message: z.object({ text: z.string().max(20) }),
      publish: 'client',
    },
    news: { message: z.object({ title: z.string() }) },
  },
  streams: {
    /** `n` chunks `t0`…, then `{ count: n }`; fails with CONFLICT at chunk `failAt` if given. */
    tokens: {
      direction: 'server',
      input: z.object({ n: z.number(), failAt: z.number().optional() }),
      chunk: z.string(),
      output: z.object({ count: z.number() }),
    },
    /** One chunk, then waits until cancelled; reports that its generator's `finally` ran. */
    hold: { direction: 'server', input: z.object({ tag: z.string() }), chunk: z.string() },
  },
});

export type Contract = typeof contract;
