/** The example chat's contract, shared by the server and the page. */
import { defineContract } from '@sockkit/core';
import { z } from 'zod';

export const chatContract = defineContract({
  server: {
    /** Who am I: the name the server knows this connection by. */
    hello: {
      input: z.object({ name: z.string().min(1).max(40) }),
      output: z.object({ greeting: z.string(), online: z.number() }),
    },
  },
  client: {
    /** The server asks the page what time it shows (a call from server to client). */
    localTime: { output: z.string() },
  },
  topics: {
    room: {
      params: z.object({ name: z.string().min(1).max(40) }),
      message: z.object({ from: z.string(), text: z.string().min(1).max(500), at: z.date() }),
      presence: z.object({ name: z.string() }),
      publish: 'client',
    },
  },
});
