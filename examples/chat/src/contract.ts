/** The chat's contract: what the page and the server agree on, in one place. */
import { defineContract } from '@sockkit/core';
import { z } from 'zod';

export const contract = defineContract({
  server: {
    /** Who the server knows this connection as. */
    me: { output: z.object({ name: z.string(), admin: z.boolean() }) },
    /** Admins only: disconnects every connection of a user, on every node. */
    kick: {
      input: z.object({ name: z.string(), reason: z.string().max(60) }),
      output: z.object({ closed: z.number() }),
    },
  },
  topics: {
    room: {
      params: z.object({ room: z.string().regex(/^[a-z0-9-]{1,32}$/) }),
      // What a page sends…
      publishInput: z.object({ text: z.string().trim().min(1).max(500) }),
      // …and what everyone receives: the server adds who wrote it and when.
      message: z.object({ text: z.string(), author: z.string(), at: z.date() }),
      presence: z.object({ name: z.string(), typing: z.boolean() }),
      publish: 'client',
    },
  },
});
