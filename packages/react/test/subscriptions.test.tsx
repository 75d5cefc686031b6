/**
 * useSubscription and usePresence against a real server: exactly one `sub` on the wire under
 * StrictMode, params changes that move (or, for the same content, keep) the subscription,
 * presence updated in place, history, `enabled`, refusals and no listener left behind.
 */
import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import { type ReactNode, StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds, recordingClient, startServer } from './harness.js';

const { SockkitProvider, useSubscription, usePresence } = createSockkitReact<Contract>();

let env: Awaited<ReturnType<typeof startServer>>;
let rec: ReturnType<typeof recordingClient>;
const wrapper = ({ children }: { children: ReactNode }) => (
  <SockkitProvider client={rec.client}>{children}</SockkitProvider>
);

beforeAll(async () => {
  env = await startServer();
});
afterAll(async () => {
  await env.server.close({ timeout: 1000 });
});
afterEach(async () => {
  await rec?.client.close();
});

async function connected() {
  rec = recordingClient(env.url);
  await rec.client.ready();
}

/** Listeners added through `on` on the client and its subscriptions, minus those removed. */
function countListeners(): { live(): number } {
  let live = 0;
  const wrap = <T extends { on: (...args: never[]) => () => void }>(target: T) => {
    const on = target.on.bind(target) as (...args: unknown[]) => () => void;
    (target as { on: unknown }).on = (...args: unknown[]) => {
      live++;
      const off = on(...args);
      let removed = false;
      return () => {
        if (!removed) live--;
        removed = true;
        off();
      };
    };
    return target;
  };
  wrap(rec.client);
  const subscribe = rec.client.subscribe.room;
  (rec.client.subscribe as { room: unknown }).room = (...args: Parameters<typeof subscribe>) =>
    wrap(subscribe(...args));
  return { live: () => live };
}

function Room({ id, name }: { id: string; name: string }) {
  const room = useSubscription('room', { id }, { presence: { name } });
  const { count, users } = usePresence(room);
  return (
    <p data-testid="room">
      {room.ready ? 'ready' : 'waiting'} {count} {users.map((user) => user.state.name).join(',')}{' '}
      {room.last?.text ?? '-'}
    </p>
  );
}

describe('useSubscription', () => {
  it('StrictMode: one sub on the wire, one live subscription, and unmount leaves no listener', async () => {
    await connected();
    const listeners = countListeners();
    const view = render(
      <StrictMode>
        <SockkitProvider client={rec.client}>
          <Room id="strict" name="Ada" />
        </SockkitProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('room').textContent).toBe('ready 1 Ada -'));
    expect(kinds(rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(rec.sent, 'unsub')).toHaveLength(0);
    expect(rec.client.subscriptions()).toHaveLength(1);
    await act(() => env.server.publish.room({ id: 'strict' }, { text: 'hi' }));
    await waitFor(() => expect(screen.getByTestId('room').textContent).toBe('ready 1 Ada hi'));
    expect(listeners.live()).toBeGreaterThan(0);
    view.unmount();
    expect(rec.client.subscriptions()).toHaveLength(0);
    expect(listeners.live()).toBe(0);
    await waitFor(() => expect(kinds(rec.sent, 'unsub')).toHaveLength(1));
    expect(kinds(rec.sent, 'sub')).toHaveLength(1);
  });

  it('new params move the subscription; equal params (a new object) keep it', async () => {
    await connected();
    const seen: string[] = [];
    const { result, rerender } = renderHook(
      ({ id }) => useSubscription('room', { id }, { onMessage: (message) => seen.push(message.text) }),
      { wrapper, reactStrictMode: true, initialProps: { id: 'p1' } },
    );
    await waitFor(() => expect(result.current.ready).toBe(true));
    rerender({ id: 'p1' });
    await act(async () => {});
    expect(kinds(rec.sent, 'sub')).toHaveLength(1);

    rerender({ id: 'p2' });
    await waitFor(() => expect(result.current.ready).toBe(true));
    expect(kinds(rec.sent, 'sub').map((sub) => sub.params)).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(kinds(rec.sent, 'unsub')).toHaveLength(1);
    expect(rec.client.subscriptions().map((sub) => sub.params)).toEqual([{ id: 'p2' }]);

    await act(async () => {
      await env.server.publish.room({ id: 'p1' }, { text: 'old room' });
      await env.server.publish.room({ id: 'p2' }, { text: 'new room' });
    });
    await waitFor(() => expect(result.current.last?.text).toBe('new room'));
    expect(seen).toEqual(['new room']);
  });

  it('params flipped and back before the server confirmed end on one subscription', async () => {
    await connected();
    const { result, rerender } = renderHook(({ id }) => useSubscription('room', { id }), {
      wrapper,
      initialProps: { id: 'f1' },
    });
    rerender({ id: 'f2' });
    rerender({ id: 'f1' });
    await waitFor(() => expect(result.current.ready).toBe(true));
    expect(result.current.error).toBeUndefined();
    expect(rec.client.subscriptions().map((sub) => sub.params)).toEqual([{ id: 'f1' }]);
    // Renders within one commit never reached the effects: one sub went out.
    expect(kinds(rec.sent, 'sub').length).toBeLessThanOrEqual(3);
    expect(kinds(rec.sent, 'sub').length - kinds(rec.sent, 'unsub').length).toBe(1);
  });

  it('a presence change is sent in place (pset), not as a new subscription', async () => {
    await connected();
    const { result, rerender } = renderHook(
      ({ name }) => {
        const room = useSubscription('room', { id: 'pres' }, { presence: { name } });
        return { room, presence: usePresence(room) };
      },
      { wrapper, reactStrictMode: true, initialProps: { name: 'Ada' } },
    );
    await waitFor(() =>
      expect(result.current.presence.users.map((user) => user.state.name)).toEqual(['Ada']),
    );
    rerender({ name: 'Ada' });
    rerender({ name: 'Grace' });
    await waitFor(() =>
      expect(result.current.presence.users.map((user) => user.state.name)).toEqual(['Grace']),
    );
    expect(kinds(rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(rec.sent, 'pset')).toHaveLength(1);
    expect(result.current.presence.count).toBe(1);
    expect(result.current.presence.members[0]?.conn).toBe(rec.client.connectionId);
  });

  it('history: the last N messages come first, then live ones', async () => {
    await connected();
    for (const text of ['one', 'two', 'three']) await env.server.publish.room({ id: 'hist' }, { text });
    const got: string[] = [];
    const { result } = renderHook(
      () =>
        useSubscription(
          'room',
          { id: 'hist' },
          { history: 2, onMessage: (message) => got.push(message.text) },
        ),
      { wrapper },
    );
    await waitFor(() => expect(got).toEqual(['two', 'three']));
    await act(() => env.server.publish.room({ id: 'hist' }, { text: 'four' }));
    await waitFor(() => expect(result.current.last?.text).toBe('four'));
    expect(got).toEqual(['two', 'three', 'four']);
  });

  it('enabled: false subscribes to nothing until it turns true', async () => {
    await connected();
    const { result, rerender } = renderHook(
      ({ enabled }) => useSubscription('news', undefined, { enabled }),
      {
        wrapper,
        initialProps: { enabled: false },
      },
    );
    await act(async () => {});
    expect(kinds(rec.sent, 'sub')).toHaveLength(0);
    rerender({ enabled: true });
    await waitFor(() => expect(result.current.ready).toBe(true));
    rerender({ enabled: false });
    await waitFor(() => expect(result.current.ready).toBe(false));
    expect(kinds(rec.sent, 'unsub')).toHaveLength(1);
    expect(rec.client.subscriptions()).toHaveLength(0);
  });

  it('a refused subscription shows the server’s error', async () => {
    await connected();
    const { result } = renderHook(() => useSubscription('room', { id: 42 as unknown as string }), {
      wrapper,
    });
    await waitFor(() => expect(result.current.error?.code).toBe('BAD_REQUEST'));
    expect(result.current.ready).toBe(false);
  });
});
