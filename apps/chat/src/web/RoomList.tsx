/**
 * Every room, with how many messages of others this person has not read. The list comes from
 * `rooms` and then follows the lobby: new rooms appear, and each message in a room that is not
 * the one open (or while the page is hidden) counts one more unread.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { RoomEntry } from '../contract.js';
import { openRoom } from './route.js';
import { useCall, useSubscription } from './sockkit.js';

export function RoomList({ current, me }: { current: string; me: string | undefined }) {
  const list = useCall('rooms', undefined, { immediate: true });
  const [rooms, setRooms] = useState<RoomEntry[]>([]);
  useEffect(() => {
    if (list.data) setRooms(list.data);
  }, [list.data]);

  const lobby = useSubscription('lobby', undefined, {
    onMessage: (event) => {
      if (event.kind === 'room') {
        setRooms((now) =>
          now.some((r) => r.id === event.room.id) ? now : [...now, { ...event.room, unread: 0 }],
        );
        return;
      }
      const seen = event.room === current && document.visibilityState === 'visible';
      setRooms((now) =>
        now.map((r) =>
          r.id !== event.room
            ? r
            : {
                ...r,
                lastId: Math.max(r.lastId, event.id),
                unread: r.unread + (seen || event.author === me ? 0 : 1),
              },
        ),
      );
    },
    // Announcements were missed: the server's counts are the truth again.
    onRecovered: (recovered) => {
      if (!recovered) void list.execute();
    },
  });
  // A room made between the list's call and the lobby going live: ask again once it is live.
  const { execute } = list;
  useEffect(() => {
    if (lobby.ready) void execute();
  }, [lobby.ready, execute]);
  // Opening a room reads it (the room view tells the server).
  useEffect(() => {
    setRooms((now) => now.map((r) => (r.id === current ? { ...r, unread: 0 } : r)));
  }, [current]);

  const create = useCall('createRoom');
  const [name, setName] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const room = await create.execute({ name });
    if (!room) return;
    setName('');
    setRooms((now) => (now.some((r) => r.id === room.id) ? now : [...now, { ...room, unread: 0 }]));
    openRoom(room.id);
  };

  return (
    <nav className="rooms" data-testid="rooms" data-ready={lobby.ready}>
      <h3>Rooms</h3>
      <ul>
        {rooms.map((room) => (
          <li key={room.id}>
            <a
              href={`/r/${room.id}`}
              className={room.id === current ? 'current' : undefined}
              data-testid={`room-${room.id}`}
              onClick={(event) => {
                event.preventDefault();
                openRoom(room.id);
              }}
            >
              # {room.name}
              {room.unread > 0 && room.id !== current && (
                <span className="unread" data-testid={`unread-${room.id}`}>
                  {room.unread}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="new-room">
        <input
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="New room"
          maxLength={40}
          aria-label="new room name"
          data-testid="new-room"
        />
        <button type="submit" disabled={!name.trim() || create.pending}>
          Create
        </button>
      </form>
      {create.error && <p className="error">{create.error.message}</p>}
    </nav>
  );
}
