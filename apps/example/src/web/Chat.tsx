/** The chat: says hello, joins the lobby with presence, shows what arrives and sends. */
import type { TopicMessage } from '@sockkit/core';
import { type FormEvent, useState } from 'react';
import type { chatContract } from '../contract.js';
import { useCall, useConnectionState, usePresence, usePublish, useSubscription } from './sockkit.js';

/** A message of the room, as the contract types it. */
type Line = TopicMessage<(typeof chatContract)['topics']['room']>;

const room = { name: 'lobby' };

export function Chat({ name }: { name: string }) {
  const { state } = useConnectionState();
  // The server answers after calling the page's localTime handler (see sockkit.ts).
  const hello = useCall('hello', { name });
  const [log, setLog] = useState<Line[]>([]);
  const lobby = useSubscription('room', room, {
    presence: { name },
    onMessage: (line) => setLog((all) => [...all, line]),
  });
  const { users } = usePresence(lobby);
  const send = usePublish('room');
  const [draft, setDraft] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    // The server stamps `at` (see server.ts): the page's is replaced.
    if (await send.publish(room, { from: name, text: draft, at: new Date() })) setDraft('');
  }

  return (
    <>
      <p>
        Connection:{' '}
        <span id="state" data-state={state}>
          {state}
        </span>{' '}
        · <span id="greeting">{hello.data && `${hello.data.greeting} (${hello.data.online} online)`}</span>
      </p>
      <p>
        Here: <span id="people">{users.map((user) => user.state.name).join(', ')}</span>
      </p>
      <ul id="log">
        {log.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the log only grows, so an index keeps its line
          <li key={i}>
            <time>{line.at.toLocaleTimeString()}</time>
            {line.from}: {line.text}
          </li>
        ))}
      </ul>
      <form onSubmit={submit}>
        <input
          id="text"
          autoComplete="off"
          placeholder="Say something"
          required
          maxLength={500}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" disabled={send.pending}>
          Send
        </button>
        {send.error && <span id="error">{send.error.code}</span>}
      </form>
    </>
  );
}
