/**
 * Server rendering: with `client={null}` a page renders the disconnected state and opens no
 * socket; rendering with a live client sends nothing (effects do not run on the server); and
 * the browser hydrates that HTML without a mismatch before the hooks go live.
 */
import { act, waitFor } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds, recordingClient, startServer } from './harness.js';

const { SockkitProvider, useCall, useConnectionState, usePresence, usePublish, useSubscription } =
  createSockkitReact<Contract>();

let env: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  env = await startServer();
});
afterAll(async () => {
  await env.server.close({ timeout: 1000 });
});

function Page() {
  const { state } = useConnectionState();
  const doubled = useCall('double', { n: 4 });
  const room = useSubscription('room', { id: 'ssr' }, { presence: { name: 'Ada' } });
  const { count } = usePresence(room);
  const chat = usePublish('chat');
  return (
    <p id="page">
      {`${state}|${doubled.status}:${doubled.data ?? '-'}|${room.ready ? 'ready' : 'waiting'}:${count}|${chat.pending ? 'sending' : 'idle'}`}
    </p>
  );
}

const disconnected = 'closed|idle:-|waiting:0|idle';

describe('server rendering', () => {
  it('client={null}: renders the disconnected state and constructs no WebSocket', () => {
    const original = globalThis.WebSocket;
    let constructed = 0;
    globalThis.WebSocket = class {
      constructor() {
        constructed++;
      }
    } as unknown as typeof WebSocket;
    try {
      const html = renderToString(
        <SockkitProvider client={null}>
          <Page />
        </SockkitProvider>,
      );
      expect(html).toContain(disconnected);
      expect(constructed).toBe(0);
      expect(env.server.connections.size).toBe(0);
    } finally {
      globalThis.WebSocket = original;
    }
  });

  it('with a live client: the server render still shows the disconnected state and sends nothing', async () => {
    const rec = recordingClient(env.url);
    await rec.client.ready();
    const before = rec.sent.length;
    const html = renderToString(
      <SockkitProvider client={rec.client}>
        <Page />
      </SockkitProvider>,
    );
    expect(html).toContain(disconnected);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rec.sent.length).toBe(before);
    await rec.client.close();
  });

  it('hydrates the server HTML without a mismatch, then goes live', async () => {
    const html = renderToString(
      <SockkitProvider client={null}>
        <Page />
      </SockkitProvider>,
    );
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const rec = recordingClient(env.url);
    await rec.client.ready();
    const problems: unknown[] = [];
    const root = await act(async () =>
      hydrateRoot(
        container,
        <SockkitProvider client={rec.client}>
          <Page />
        </SockkitProvider>,
        { onRecoverableError: (error) => problems.push(error) },
      ),
    );
    await waitFor(() => expect(container.textContent).toBe('open|success:8|ready:1|idle'));
    expect(problems).toEqual([]);
    expect(kinds(rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(rec.sent, 'call')).toHaveLength(1);
    act(() => root.unmount());
    container.remove();
    await rec.client.close();
  });
});
