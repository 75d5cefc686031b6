/**
 * useSubscription and usePresence against a real server: exactly one `sub` on the wire under
 * StrictMode, params changes that move (or, for the same content, keep) the subscription,
 * presence updated in place, history, `enabled`, refusals and no listener left behind.
 */
import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds } from './harness.js';
import { countListeners } from './listeners.js';
import { serverSuite } from './suite.js';

const { SockkitProvider, useSubscription, usePresence } = createSockkitReact<Contract>();

const t = serverSuite();
const { wrapper } = t;

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
    await t.connected();
    const listeners = countListeners(t.rec.client);
    const view = render(
      <StrictMode>
        <SockkitProvider client={t.rec.client}>
          <Room id="strict" name="Ada" />
        </SockkitProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('room').textContent).toBe('ready 1 Ada -'));
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(0);
    expect(t.rec.client.subscriptions()).toHaveLength(1);
    await act(() => t.env.server.publish.room({ id: 'strict' }, { text: 'hi' }));
    await waitFor(() => expect(screen.getByTestId('room').textContent).toBe('ready 1 Ada hi'));
    expect(listeners.live()).toBeGreaterThan(0);
    view.unmount();
    expect(t.rec.client.subscriptions()).toHaveLength(0);
    expect(listeners.live()).toBe(0);
    await waitFor(() => expect(kinds(t.rec.sent, 'unsub')).toHaveLength(1));
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
  });

  it('new params move the subscription; equal params (a new object) keep it', async () => {
    await t.connected();
    const seen: string[] = [];
    const { result, rerender } = renderHook(
      ({ id }) => useSubscription('room', { id }, { onMessage: (message) => seen.push(message.text) }),
      { wrapper, reactStrictMode: true, initialProps: { id: 'p1' } },
    );
    await waitFor(() => expect(result.current.ready).toBe(true));
    rerender({ id: 'p1' });
    await act(async () => {});
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);

    rerender({ id: 'p2' });
    await waitFor(() => expect(result.current.ready).toBe(true));
    expect(kinds(t.rec.sent, 'sub').map((sub) => sub.params)).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(1);
    expect(t.rec.client.subscriptions().map((sub) => sub.params)).toEqual([{ id: 'p2' }]);

    await act(async () => {
      await t.env.server.publish.room({ id: 'p1' }, { text: 'old room' });
      await t.env.server.publish.room({ id: 'p2' }, { text: 'new room' });
    });
    await waitFor(() => expect(result.current.last?.text).toBe('new room'));
    expect(seen).toEqual(['new room']);
  });

  it('params flipped and back before the server confirmed end on one subscription', async () => {
    await t.connected();
    const { result, rerender } = renderHook(({ id }) => useSubscription('room', { id }), {
      wrapper,
      initialProps: { id: 'f1' },
    });
    rerender({ id: 'f2' });
    rerender({ id: 'f1' });
    await waitFor(() => expect(result.current.ready).toBe(true));
    expect(result.current.error).toBeUndefined();
    expect(t.rec.client.subscriptions().map((sub) => sub.params)).toEqual([{ id: 'f1' }]);
    // Renders within one commit never reached the effects: one sub went out.
    expect(kinds(t.rec.sent, 'sub').length).toBeLessThanOrEqual(3);
    expect(kinds(t.rec.sent, 'sub').length - kinds(t.rec.sent, 'unsub').length).toBe(1);
  });

  it('a presence change is sent in place (pset), not as a new subscription', async () => {
    await t.connected();
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
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'pset')).toHaveLength(1);
    expect(result.current.presence.count).toBe(1);
    expect(result.current.presence.members[0]?.conn).toBe(t.rec.client.connectionId);
  });

  it('history: the last N messages come first, then live ones', async () => {
    await t.connected();
    for (const text of ['one', 'two', 'three']) await t.env.server.publish.room({ id: 'hist' }, { text });
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
    await act(() => t.env.server.publish.room({ id: 'hist' }, { text: 'four' }));
    await waitFor(() => expect(result.current.last?.text).toBe('four'));
    expect(got).toEqual(['two', 'three', 'four']);
  });

  it('enabled: false subscribes to nothing until it turns true', async () => {
    await t.connected();
    const { result, rerender } = renderHook(
      ({ enabled }) => useSubscription('news', undefined, { enabled }),
      {
        wrapper,
        initialProps: { enabled: false },
      },
    );
    await act(async () => {});
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(0);
    rerender({ enabled: true });
    await waitFor(() => expect(result.current.ready).toBe(true));
    rerender({ enabled: false });
    await waitFor(() => expect(result.current.ready).toBe(false));
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(1);
    expect(t.rec.client.subscriptions()).toHaveLength(0);
  });

  it('a refused subscription shows the server’s error', async () => {
    await t.connected();
    const { result } = renderHook(() => useSubscription('room', { id: 42 as unknown as string }), {
      wrapper,
    });
    await waitFor(() => expect(result.current.error?.code).toBe('BAD_REQUEST'));
    expect(result.current.ready).toBe(false);
  });

  it('ended by the server (a kick): no longer ready, and not subscribed again', async () => {
    await t.connected();
    const { result } = renderHook(() => useSubscription('room', { id: 'kick' }), { wrapper });
    await waitFor(() => expect(result.current.ready).toBe(true));
    const conn = t.env.server.connections.get(t.rec.client.connectionId ?? '');
    await act(() => conn?.unsubscribe.room({ id: 'kick' }));
    await waitFor(() => expect(result.current.ready).toBe(false));
    expect(result.current.subscription).toBeUndefined();
    expect(t.rec.client.subscriptions()).toHaveLength(0);
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
  });
});
