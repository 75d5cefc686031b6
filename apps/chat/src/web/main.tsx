/** The page: the name prompt on a first visit, then the chat on one client for the page's life. */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Outbox } from '../shared/outbox.js';
import { App } from './App.js';
import { loadIdentity, saveIdentity } from './identity.js';
import { NamePrompt } from './NamePrompt.js';
import { localStorageOutbox } from './outbox-storage.js';
import { roomState } from './room-state.js';
import { type ChatClient, connect, SockkitProvider } from './sockkit.js';
import './styles.css';

let identity = loadIdentity();
let session: { client: ChatClient; outbox: Outbox } | undefined;

/** The client and outbox, made once (not in a render: StrictMode would make two). */
function startSession() {
  if (!session) {
    const client = connect(() => identity);
    const outbox = new Outbox(
      localStorageOutbox,
      (input) => client.call.send(input),
      (message) => roomState(message.room).apply([message]),
    );
    session = { client, outbox };
  }
  return session;
}

function Root() {
  const [named, setNamed] = useState(identity.name !== '');
  const [renaming, setRenaming] = useState(false);
  const choose = (name: string) => {
    identity = { ...identity, name };
    saveIdentity(identity);
    if (session) void session.client.updateAuth();
    setNamed(true);
    setRenaming(false);
  };
  if (!named || renaming) return <NamePrompt initial={identity.name} onDone={choose} />;
  const { client, outbox } = startSession();
  return (
    <SockkitProvider client={client}>
      <App name={identity.name} outbox={outbox} onRename={() => setRenaming(true)} />
    </SockkitProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
