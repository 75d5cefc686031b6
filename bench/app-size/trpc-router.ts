/** The same app's server as a tRPC router: only its type reaches the tRPC app (`import type`). */
import { initTRPC } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import superjson from 'superjson';
import { z } from 'zod';

const t = initTRPC.create({ transformer: superjson });
const message = z.object({ id: z.string(), from: z.string(), text: z.string().max(500), at: z.date() });

export const router = t.router({
  join: t.procedure
    .input(z.object({ room: z.string(), name: z.string().min(1) }))
    .mutation(({ input }) => ({ user: input.name })),
  history: t.procedure
    .input(z.object({ room: z.string(), before: z.date().optional() }))
    .query((): z.infer<typeof message>[] => []),
  send: t.procedure.input(z.object({ room: z.string(), text: z.string().max(500) })).mutation(() => true),
  room: t.procedure
    .input(z.object({ room: z.string() }))
    .subscription(() => observable<z.infer<typeof message>>(() => () => {})),
});

export type AppRouter = typeof router;
