/** The chat's frame: the room list and the connection on the left, the open room on the right. */
import { useEffect, useSyncExternalStore } from 'react';
import type { Outbox } from '../shared/outbox.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { RoomList } from './RoomList.js';
import { RoomView } from './RoomView.js';
import { useRoute } from './route.js';
import { useCall, useClient } from './sockkit.js';

export interface AppProps {
  name: string;
  outbox: Outbox;
  onRename: () => void;
}

export function App({ name, outbox, onRename }: AppProps) {
  const client = useClient();
  const room = useRoute();
  const me = useCall('me', undefined, { immediate: true });
  const pending = useSyncExternalStore(outbox.subscribe.bind(outbox), () => outbox.list());

  // Whatever waits in the outbox (from before a reload too) leaves when the link is up.
  useEffect(() => {
    if (client.state === 'open') void outbox.flush();
    return client.on('state', (state) => {
      if (state === 'open') void outbox.flush();
    });
  }, [client, outbox]);

  return (
    <div className="layout">
      <aside className="sidebar">
        <header className="me">
          <span data-testid="my-name">{name}</span>
          <button type="button" className="link" onClick={onRename}>
            rename
          </button>
        </header>
        <ConnectionBadge waiting={pending.filter((entry) => entry.error === undefined).length} />
        <RoomList current={room} me={me.data?.user} />
      </aside>
      {me.data ? (
        <RoomView key={room} room={room} me={me.data} name={name} outbox={outbox} pending={pending} />
      ) : (
        <main className="room">
          <p className="notice">{me.error ? `Cannot connect: ${me.error.message}` : 'Connecting…'}</p>
        </main>
      )}
    </div>
  );
}
