/**
 * The chat-like app's contract: a few procedures, a client procedure, topics with presence, and
 * a server stream (only streams.ts reads it).
 */
import { defineContract } from '@sockkit/core';
import { z } from 'zod';

const message = z.object({ id: z.string(), from: z.string(), text: z.string().max(500), at: z.date() });

export const contract = defineContract({
  server: {
    join: {
      input: z.object({ room: z.string(), name: z.string().min(1) }),
      output: z.object({ user: z.string() }),
    },
    history: { input: z.object({ room: z.string(), before: z.date().optional() }), output: z.array(message) },
    rooms: { output: z.array(z.object({ name: z.string(), members: z.number() })), idempotent: true },
  },
  client: { ping: { output: z.literal('pong') } },
  topics: {
    room: {
      params: z.object({ room: z.string() }),
      message,
      publishInput: z.object({ text: z.string().max(500) }),
      presence: z.object({ name: z.string(), typing: z.boolean() }),
      publish: 'client',
    },
    announcements: { message: z.object({ text: z.string() }) },
  },
  streams: { summary: { direction: 'server', input: z.object({ room: z.string() }), chunk: z.string() } },
});
