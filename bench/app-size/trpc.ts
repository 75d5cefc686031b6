/** The app without Vue on tRPC's client: wsLink with superjson, the router's type only. */
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from './trpc-router.js';

const client = createTRPCClient<AppRouter>({
  links: [wsLink({ client: createWSClient({ url: '/ws' }), transformer: superjson })],
});
const list = document.querySelector('ul')!;
const { user } = await client.join.mutate({ room: 'lobby', name: 'Ada' });
for (const m of await client.history.query({ room: 'lobby' })) list.append(`${m.from}: ${m.text}`);
client.room.subscribe({ room: 'lobby' }, { onData: (m) => list.append(`${m.from}: ${m.text}`) });
document.querySelector('form')!.addEventListener('submit', () => {
  void client.send.mutate({ room: 'lobby', text: `hi from ${user}` });
});
