/**
 * useConnectionState and the hooks across a lost link: a TCP proxy on 127.0.0.1 drops the
 * connection; the client reconnects and resumes, and the hooks neither duplicate nor lose
 * their subscriptions, nor repeat a call that already answered.
 */
import { startProxy, type TcpProxy } from '@sockkit/testing';
import { act, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds, recordingClient, startServer } from './harness.js';

const { SockkitProvider, useSubscription, useConnectionState, useCall } = createSockkitReact<Contract>();

let env: Awaited<ReturnType<typeof startServer>>;
let proxy: TcpProxy;
const opened: ReturnType<typeof recordingClient>[] = [];
// The other files' clients have the contract's type only; this file's carry the object too.
const client = (url: string) => {
  const made = recordingClient(url, 'contract');
  opened.push(made);
  return made;
};

beforeAll(async () => {
  env = await startServer();
  proxy = await startProxy(env.port);
});
afterAll(async () => {
  await proxy.close();
  await env.server.close({ timeout: 1000 });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((made) => made.client.close()));
});

function Live() {
  const { state, online } = useConnectionState();
  const room = useSubscription('room', { id: 'live' }, { presence: { name: 'Ada' } });
  const news = useSubscription('news', undefined);
  const doubled = useCall('double', { n: 21 });
  return (
    <div>
      <p data-testid="state">
        {state} {online ? 'online' : 'offline'}
      </p>
      <p data-testid="room">
        {room.ready ? 'ready' : 'waiting'} {String(room.recovered)} {room.members.length}{' '}
        {room.last?.text ?? '-'}
      </p>
      <p data-testid="news">{news.last?.title ?? '-'}</p>
      <p data-testid="call">{doubled.data ?? '-'}</p>
    </div>
  );
}

describe('connection state and reconnect', () => {
  it('follows the state through a lost link; resumes with what was missed, without duplicates', async () => {
    // Another subscriber keeps the channel (and its history) alive while the link is down.
    const keeper = client(env.url);
    keeper.client.subscribe.room({ id: 'live' });
    const rec = client(`ws://127.0.0.1:${proxy.port}`);
    const states: string[] = [];
    rec.client.on('state', (state) => states.push(state));
    render(
      <StrictMode>
        <SockkitProvider client={rec.client}>
          <Live />
        </SockkitProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('open online'));
    await waitFor(() => expect(screen.getByTestId('room').textContent).toBe('ready true 1 -'));
    await waitFor(() => expect(screen.getByTestId('call').textContent).toBe('42'));
    expect(kinds(rec.sent, 'sub')).toHaveLength(2);

    proxy.refuse(); // drops the link and keeps the client out
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('reconnecting offline'));
    await env.server.publish.room({ id: 'live' }, { text: 'while away' });
    proxy.accept();
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('open online'));
    await waitFor(() => expect(screen.getByTestId('room').textContent).toBe('ready true 1 while away'));
    await act(() => env.server.publish.news(undefined, { title: 'after' }));
    await waitFor(() => expect(screen.getByTestId('news').textContent).toBe('after'));

    // The client re-sent each subscription once on the new link; the hooks added none, and
    // the call that had answered was not repeated.
    expect(states).toContain('reconnecting');
    expect(kinds(rec.sent, 'sub')).toHaveLength(4);
    expect(kinds(rec.sent, 'unsub')).toHaveLength(0);
    expect(rec.client.subscriptions()).toHaveLength(2);
    expect(kinds(rec.sent, 'call')).toHaveLength(1);
  });

  it('shows closed once the client is closed for good', async () => {
    const rec = client(env.url);
    render(
      <SockkitProvider client={rec.client}>
        <Live />
      </SockkitProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('open online'));
    await act(() => rec.client.close());
    expect(screen.getByTestId('state').textContent).toBe('closed offline');
  });
});
