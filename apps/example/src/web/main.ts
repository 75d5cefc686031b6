/** The example page: connects, says hello, joins a room with presence, and chats. */
import { createSockkitClient } from '@sockkit/client';
// The contract's type only: the page's bundle holds no zod and no schemas.
import type { chatContract } from '../contract.js';

const $ = (id: string) => document.getElementById(id)!;
const name = `guest-${Math.random().toString(36).slice(2, 6)}`;

const client = createSockkitClient<typeof chatContract>({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  handlers: { localTime: () => new Date().toLocaleTimeString() },
});

client.on('state', (state) => {
  $('state').textContent = state;
  $('state').dataset.state = state;
});

const room = client.subscribe.room(
  { name: 'lobby' },
  (message) => {
    const item = document.createElement('li');
    const time = document.createElement('time');
    time.textContent = message.at.toLocaleTimeString();
    item.append(time, `${message.from}: ${message.text}`);
    $('log').append(item);
  },
  { presence: { name } },
);

room.on('presence', (members) => {
  $('people').textContent = [...members.values()].map((m) => m.state.name).join(', ');
});

void client.call.hello({ name }).then((reply) => {
  $('greeting').textContent = `${reply.greeting} (${reply.online} online)`;
});

$('send').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('text') as HTMLInputElement;
  void client.publish.room({ name: 'lobby' }, { from: name, text: input.value, at: new Date() });
  input.value = '';
});
