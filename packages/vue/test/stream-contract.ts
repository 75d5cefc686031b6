/** A contract with a server stream and a client stream, for `useStream` and the client shape. */
import { defineContract } from '@sockkit/core';
import * as z from 'zod';

export const streamContract = defineContract({
  streams: {
    words: {
      direction: 'server',
      input: z.object({ text: z.string(), slow: z.boolean().default(false) }),
      chunk: z.string(),
      output: z.object({ count: z.number() }),
    },
    upload: { direction: 'client', chunk: z.string(), output: z.number() },
  },
});
