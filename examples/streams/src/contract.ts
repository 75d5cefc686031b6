/** The example's contract: an answer streamed token by token, and a file uploaded in chunks. */
import { defineContract } from '@sockkit/core';
import { z } from 'zod';

export const streamsContract = defineContract({
  streams: {
    /** The answer to a prompt, one token at a time, then how many tokens it had. */
    answer: {
      direction: 'server',
      input: z.object({ prompt: z.string().min(1).max(2000) }),
      chunk: z.string(),
      output: z.object({ tokens: z.number() }),
    },
    /** A file in chunks of bytes; answers its size and a checksum. */
    upload: {
      direction: 'client',
      input: z.object({ name: z.string().min(1).max(200) }),
      chunk: z.instanceof(Uint8Array),
      output: z.object({ name: z.string(), bytes: z.number(), sum: z.number() }),
    },
  },
});
