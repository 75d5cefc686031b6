// The contract shared by the example's server nodes and clients (plain JS, runnable with node).
import { defineContract } from '@sockkit/core';
import { z } from 'zod';

export const contract = defineContract({
  server: {
    /** Which node answered. */
    whereAmI: { output: z.object({ node: z.string() }) },
    /** Asks connection `conn`, wherever it lives, to confirm `question`. */
    ask: { input: z.object({ conn: z.string(), question: z.string() }), output: z.boolean() },
  },
  client: {
    confirm: { input: z.object({ question: z.string() }), output: z.boolean() },
  },
  topics: {
    chat: {
      params: z.object({ room: z.string() }),
      message: z.object({ text: z.string(), from: z.string() }),
      presence: z.object({ name: z.string() }),
      publish: 'client',
    },
  },
});
