/** The app without Vue on socket.io-client: acks for calls, events for the room and presence. */
import { io } from 'socket.io-client';

const socket = io('/');
const list = document.querySelector('ul')!;
const { user } = await socket.emitWithAck('join', { room: 'lobby', name: 'Ada' });
for (const m of await socket.emitWithAck('history', { room: 'lobby' })) list.append(`${m.from}: ${m.text}`);
socket.on('room', (m: { from: string; text: string }) => list.append(`${m.from}: ${m.text}`));
socket.on('presence', (members: unknown[]) => {
  document.title = `${members.length} here`;
});
document.querySelector('form')!.addEventListener('submit', () => {
  socket.emit('send', { room: 'lobby', text: `hi from ${user}` });
});
