/**
 * One room: its messages (the newest page first, older ones as the person scrolls up), the
 * messages of this page still waiting for the server, who is typing, and the composer.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Outbox, PendingSend } from '../shared/outbox.js';
import { Composer } from './Composer.js';
import { MessageItem } from './MessageItem.js';
import { roomState } from './room-state.js';
import { roomLink } from './route.js';
import { useCall, useClient, usePresence, useSubscription } from './sockkit.js';

export interface RoomViewProps {
  room: string;
  me: { user: string };
  name: string;
  outbox: Outbox;
  pending: readonly PendingSend[];
}

/** Within this many pixels of the bottom, new messages keep the view at the bottom. */
const STICKY_PX = 80;

export function RoomView({ room, me, name, outbox, pending }: RoomViewProps) {
  const client = useClient();
  const state = roomState(room);
  useSyncExternalStore(state.subscribe, state.getVersion);
  const messages = state.timeline.messages();
  const info = useCall('room', { room });
  const [typing, setTyping] = useState(false);
  const [syncError, setSyncError] = useState<string>();

  const sync = useCallback(() => {
    state.sync(client).then(
      () => setSyncError(undefined),
      (error: Error) => setSyncError(error.message),
    );
  }, [client, state]);

  const sub = useSubscription(
    'room',
    { room },
    {
      presence: { name, typing },
      onMessage: ({ message }) => state.apply([message]),
      onRecovered: (recovered) => {
        if (!recovered) sync();
      },
    },
  );
  // Once live, fetch what came before (and whatever changed while this room was closed).
  useEffect(() => {
    if (sub.ready) sync();
  }, [sub.ready, sync]);
  const presence = usePresence(sub);
  const typists = presence.users
    .filter((user) => user.key !== me.user && user.connections.some((c) => c.state.typing))
    .map((user) => user.state.name);

  // Read up to the newest message while the page is visible.
  const newest = state.timeline.newest();
  const read = useCall('markRead');
  useEffect(() => {
    if (newest === 0) return;
    const mark = () => {
      if (document.visibilityState === 'visible') void read.execute({ room, id: newest });
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [newest, room, read.execute]);

  // Scrolling: stay at the bottom when there, keep the place when older messages come in above.
  const scroller = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ height: number; top: number; atBottom: boolean }>({
    height: 0,
    top: 0,
    atBottom: true,
  });
  // A confirmed message can arrive on the topic a moment before its reply empties the outbox.
  const shownKeys = new Set(messages.filter((m) => m.author.user === me.user).map((m) => m.key));
  const mine = pending.filter((entry) => entry.room === room && !shownKeys.has(entry.key));
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = anchor.current;
    if (before.atBottom) el.scrollTop = el.scrollHeight;
    else if (el.scrollHeight !== before.height) el.scrollTop = before.top + (el.scrollHeight - before.height);
    anchor.current = { height: el.scrollHeight, top: el.scrollTop, atBottom: before.atBottom };
  });
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    anchor.current = {
      height: el.scrollHeight,
      top: el.scrollTop,
      atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_PX,
    };
    if (el.scrollTop < 200) void state.loadOlder(client);
  };

  if (info.error?.code === 'NOT_FOUND') {
    return (
      <main className="room">
        <p className="notice" data-testid="no-room">
          There is no room “{room}”.
        </p>
      </main>
    );
  }

  return (
    <main className="room" data-testid="room" data-room={room} data-live={sub.ready}>
      <header className="room-header">
        <h2># {info.data?.name ?? room}</h2>
        <span className="people" data-testid="people">
          {presence.count} here
        </span>
        <button
          type="button"
          className="link"
          onClick={() => void navigator.clipboard?.writeText(roomLink(room))}
        >
          copy link
        </button>
      </header>
      <div className="messages" ref={scroller} onScroll={onScroll} data-testid="messages">
        {state.timeline.more ? (
          <p className="notice">{state.loadingOlder ? 'Loading older messages…' : ' '}</p>
        ) : (
          <p className="notice">The start of # {info.data?.name ?? room}.</p>
        )}
        {messages.map((message) =>
          message.deleted ? null : (
            <MessageItem key={message.id} message={message} own={message.author.user === me.user} />
          ),
        )}
        {mine.map((entry) => (
          <div
            className={`message pending ${entry.error ? 'failed' : ''}`}
            key={entry.key}
            data-testid="pending"
          >
            <div className="meta">
              <strong>{name}</strong> <span>{entry.error ? `not sent: ${entry.error}` : 'sending…'}</span>
              {entry.error && (
                <button type="button" className="link" onClick={() => outbox.discard(entry.key)}>
                  discard
                </button>
              )}
            </div>
            <div className="text plain">{entry.text}</div>
          </div>
        ))}
      </div>
      <p className="typing" data-testid="typing">
        {typists.length === 0 ? ' ' : `${typists.join(', ')} ${typists.length === 1 ? 'is' : 'are'} typing…`}
      </p>
      {(sub.error || syncError) && <p className="error">{sub.error?.message ?? syncError}</p>}
      <Composer
        onTyping={setTyping}
        onSend={(text) => {
          anchor.current.atBottom = true;
          outbox.add(room, text);
        }}
      />
    </main>
  );
}
