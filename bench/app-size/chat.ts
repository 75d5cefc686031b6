/** The app without Vue: calls, a room with presence, publishing, and a client handler. */
import { createSockkitClient } from '@sockkit/client';
import type { contract } from './contract.js';

const client = createSockkitClient<typeof contract>({
  url: '/ws',
  handlers: { ping: () => 'pong' as const },
});
const list = document.querySelector('ul')!;
const { user } = await client.call.join({ room: 'lobby', name: 'Ada' });
for (const m of await client.call.history({ room: 'lobby' })) list.append(`${m.from}: ${m.text}`);
const room = client.subscribe.room({ room: 'lobby' }, (m) => list.append(`${m.from}: ${m.text}`), {
  presence: { name: user, typing: false },
});
room.on('presence', (members) => {
  document.title = `${members.size} here`;
});
document.querySelector('form')!.addEventListener('submit', () => {
  void client.publish.room({ room: 'lobby' }, { text: 'hi' });
  void room.setPresence({ name: user, typing: false });
});
