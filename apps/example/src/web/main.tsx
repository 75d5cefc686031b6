/** The example page: one chat in the lobby under a random guest name, on the page's one client. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Chat } from './Chat.js';
import { client, SockkitProvider } from './sockkit.js';

const name = `guest-${Math.random().toString(36).slice(2, 6)}`;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SockkitProvider client={client}>
      <Chat name={name} />
    </SockkitProvider>
  </StrictMode>,
);
