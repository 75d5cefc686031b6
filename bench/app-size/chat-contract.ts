/** The app without Vue, given the contract object at run time (validates the server's calls). */
import { createSockkitClient } from '@sockkit/client';
import { contract } from './contract.js';

const client = createSockkitClient({ url: '/ws', contract, handlers: { ping: () => 'pong' as const } });
const { user } = await client.call.join({ room: 'lobby', name: 'Ada' });
const room = client.subscribe.room({ room: 'lobby' }, (m) => document.body.append(m.text), {
  presence: { name: user, typing: false },
});
room.on('presence', (members) => {
  document.title = `${members.size} here`;
});
void client.publish.room({ room: 'lobby' }, { text: 'hi' });
