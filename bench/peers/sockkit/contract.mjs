/**
 * The bench contract: the same echo and fan-out payloads as every other peer, as zod schemas.
 * A topic name of the other peers is the `id` param of sockkit's one `room` topic.
 */
import { defineContract } from '@sockkit/core';
import { z } from 'zod';

export const contract = defineContract({
  server: {
    echo: {
      input: z.object({ id: z.number(), text: z.string() }),
      output: z.object({ id: z.number(), text: z.string(), at: z.number() }),
    },
  },
  streams: {
    chunks: {
      direction: 'server',
      input: z.object({ count: z.number().int().nonnegative() }),
      chunk: z.object({ seq: z.number(), text: z.string() }),
    },
  },
  topics: {
    room: {
      params: z.object({ id: z.string() }),
      message: z.object({ seq: z.number(), at: z.number(), text: z.string() }),
    },
  },
});
