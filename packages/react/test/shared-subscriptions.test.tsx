/**
 * Hooks on the same channel share one client subscription, against a real server and with
 * the frames the client sent: one `sub` for two components (each sees every message once), no
 * `unsub` until the last lets go, StrictMode, a params change that moves one hook only,
 * history replayed to a hook that comes late, one presence owner per channel (a second one
 * gets CONFLICT, one without presence follows, one joining a live subscription sends `pset`)
 * and a refusal that fails every hook.
 */
import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds } from './harness.js';
import { countListeners } from './listeners.js';
import { serverSuite } from './suite.js';

const { SockkitProvider, useSubscription } = createSockkitReact<Contract>();

const t = serverSuite();
const { wrapper } = t;

/** A component on room `id`: what it shows, and every message it was given, in `seen`. */
function Feed({ id, label, seen }: { id: string; label: string; seen: string[] }) {
  const room = useSubscription('room', { id }, { onMessage: (message) => seen.push(message.text) });
  return (
    <p data-testid={label}>
      {room.ready ? 'ready' : 'waiting'} {room.last?.text ?? '-'} {room.error?.code ?? 'ok'}
    </p>
  );
}

const shown = (label: string) => screen.getByTestId(label).textContent;
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 50)));

describe('hooks on the same channel', () => {
  it('two components: one sub on the wire, each message once to each, one unsub after the last', async () => {
    await t.connected();
    const list: string[] = [];
    const badge: string[] = [];
    const provide = (node: React.ReactNode) => (
      <SockkitProvider client={t.rec.client}>{node}</SockkitProvider>
    );
    const first = render(provide(<Feed id="lobby" label="list" seen={list} />));
    const second = render(provide(<Feed id="lobby" label="badge" seen={badge} />));
    await waitFor(() => {
      expect(shown('list')).toBe('ready - ok');
      expect(shown('badge')).toBe('ready - ok');
    });
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(t.rec.client.subscriptions()).toHaveLength(1);

    await act(async () => {
      await t.env.server.publish.room({ id: 'lobby' }, { text: 'a' });
      await t.env.server.publish.room({ id: 'lobby' }, { text: 'b' });
    });
    await waitFor(() => expect(badge).toEqual(['a', 'b']));
    expect(list).toEqual(['a', 'b']);

    first.unmount();
    await act(() => t.env.server.publish.room({ id: 'lobby' }, { text: 'c' }));
    await waitFor(() => expect(shown('badge')).toBe('ready c ok'));
    expect(badge).toEqual(['a', 'b', 'c']);
    expect(list).toEqual(['a', 'b']);
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(0);

    second.unmount();
    await waitFor(() => expect(kinds(t.rec.sent, 'unsub')).toHaveLength(1));
    await settle();
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(t.rec.client.subscriptions()).toHaveLength(0);
  });

  it('StrictMode: two shared hooks send one sub, and unmounting leaves no listener', async () => {
    await t.connected();
    const listeners = countListeners(t.rec.client);
    const a: string[] = [];
    const b: string[] = [];
    const view = render(
      <StrictMode>
        <SockkitProvider client={t.rec.client}>
          <Feed id="strict-shared" label="a" seen={a} />
          <Feed id="strict-shared" label="b" seen={b} />
        </SockkitProvider>
      </StrictMode>,
    );
    await waitFor(() => {
      expect(shown('a')).toBe('ready - ok');
      expect(shown('b')).toBe('ready - ok');
    });
    await act(() => t.env.server.publish.room({ id: 'strict-shared' }, { text: 'x' }));
    await waitFor(() => expect(shown('b')).toBe('ready x ok'));
    expect(a).toEqual(['x']);
    expect(b).toEqual(['x']);
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(0);
    view.unmount();
    expect(listeners.live()).toBe(0);
    await waitFor(() => expect(kinds(t.rec.sent, 'unsub')).toHaveLength(1));
    expect(t.rec.client.subscriptions()).toHaveLength(0);
  });

  it('new params move only the hook whose params changed', async () => {
    await t.connected();
    const seenA: string[] = [];
    const seenB: string[] = [];
    const a = renderHook(
      () => useSubscription('room', { id: 'pa' }, { onMessage: (m) => seenA.push(m.text) }),
      {
        wrapper,
      },
    );
    const b = renderHook(
      ({ id }) => useSubscription('room', { id }, { onMessage: (m) => seenB.push(m.text) }),
      { wrapper, reactStrictMode: true, initialProps: { id: 'pa' } },
    );
    await waitFor(() => expect([a.result.current.ready, b.result.current.ready]).toEqual([true, true]));
    expect(a.result.current.subscription).toBe(b.result.current.subscription);

    b.rerender({ id: 'pb' });
    await waitFor(() => {
      expect(b.result.current.subscription?.params).toEqual({ id: 'pb' });
      expect(b.result.current.ready).toBe(true);
    });
    expect(kinds(t.rec.sent, 'sub').map((sub) => sub.params)).toEqual([{ id: 'pa' }, { id: 'pb' }]);
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(0);
    expect(a.result.current.ready).toBe(true);

    await act(async () => {
      await t.env.server.publish.room({ id: 'pa' }, { text: 'to a' });
      await t.env.server.publish.room({ id: 'pb' }, { text: 'to b' });
    });
    await waitFor(() =>
      expect([a.result.current.last?.text, b.result.current.last?.text]).toEqual(['to a', 'to b']),
    );
    expect(seenA).toEqual(['to a']);
    expect(seenB).toEqual(['to b']);
    b.unmount();
    await waitFor(() => expect(kinds(t.rec.sent, 'unsub')).toHaveLength(1));
    expect(t.rec.client.subscriptions().map((sub) => sub.params)).toEqual([{ id: 'pa' }]);
  });

  it('history: a hook attaching to a live subscription is replayed the last N messages', async () => {
    await t.connected();
    for (const text of ['one', 'two', 'three']) await t.env.server.publish.room({ id: 'late' }, { text });
    const early: string[] = [];
    const first = renderHook(
      () => useSubscription('room', { id: 'late' }, { history: 2, onMessage: (m) => early.push(m.text) }),
      { wrapper },
    );
    await waitFor(() => expect(early).toEqual(['two', 'three']));
    await act(() => t.env.server.publish.room({ id: 'late' }, { text: 'four' }));
    await waitFor(() => expect(first.result.current.last?.text).toBe('four'));

    const late: string[] = [];
    const second = renderHook(
      () => useSubscription('room', { id: 'late' }, { history: 2, onMessage: (m) => late.push(m.text) }),
      { wrapper },
    );
    await waitFor(() => expect(second.result.current.last?.text).toBe('four'));
    expect(late).toEqual(['three', 'four']);
    expect(second.result.current.ready).toBe(true);
    // Without history, nothing is replayed.
    const none = renderHook(() => useSubscription('room', { id: 'late' }), { wrapper });
    await waitFor(() => expect(none.result.current.ready).toBe(true));
    expect(none.result.current.last).toBeUndefined();

    await act(() => t.env.server.publish.room({ id: 'late' }, { text: 'five' }));
    await waitFor(() => expect(second.result.current.last?.text).toBe('five'));
    expect(early).toEqual(['two', 'three', 'four', 'five']);
    expect(late).toEqual(['three', 'four', 'five']);
    expect(none.result.current.last?.text).toBe('five');
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
  });

  it('presence: one owner, followers see its members, a second owner gets CONFLICT', async () => {
    await t.connected();
    const owner = renderHook(() => useSubscription('room', { id: 'po' }, { presence: { name: 'Ada' } }), {
      wrapper,
    });
    const follower = renderHook(() => useSubscription('room', { id: 'po' }), { wrapper });
    await waitFor(() => {
      expect(owner.result.current.members.map((m) => m.state.name)).toEqual(['Ada']);
      expect(follower.result.current.members.map((m) => m.state.name)).toEqual(['Ada']);
    });
    expect(follower.result.current.ready).toBe(true);

    const rival = renderHook(() => useSubscription('room', { id: 'po' }, { presence: { name: 'Bob' } }), {
      wrapper,
      reactStrictMode: true,
    });
    await waitFor(() => expect(rival.result.current.error?.code).toBe('CONFLICT'));
    expect(rival.result.current.error?.message).toContain('one hook per channel may set presence');
    expect(rival.result.current.ready).toBe(false);
    expect(rival.result.current.subscription).toBeUndefined();
    await settle();
    expect(owner.result.current.members.map((m) => m.state.name)).toEqual(['Ada']);
    expect(owner.result.current.error).toBeUndefined();
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'pset')).toHaveLength(0);

    // The owner leaves: another hook may take presence over, in place.
    rival.unmount();
    owner.unmount();
    const next = renderHook(() => useSubscription('room', { id: 'po' }, { presence: { name: 'Cy' } }), {
      wrapper,
    });
    await waitFor(() => expect(follower.result.current.members.map((m) => m.state.name)).toEqual(['Cy']));
    expect(next.result.current.error).toBeUndefined();
    expect(kinds(t.rec.sent, 'pset')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'unsub')).toHaveLength(0);
  });

  it('presence: a hook with presence joins a live subscription made without it (pset)', async () => {
    await t.connected();
    const plain = renderHook(() => useSubscription('room', { id: 'pj' }), { wrapper });
    await waitFor(() => expect(plain.result.current.ready).toBe(true));
    const joiner = renderHook(() => useSubscription('room', { id: 'pj' }, { presence: { name: 'Lin' } }), {
      wrapper,
    });
    await waitFor(() => {
      expect(plain.result.current.members.map((m) => m.state.name)).toEqual(['Lin']);
      expect(joiner.result.current.members.map((m) => m.state.name)).toEqual(['Lin']);
    });
    expect(joiner.result.current.error).toBeUndefined();
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'pset')).toHaveLength(1);
  });

  it('a refused subscription fails every hook attached to it', async () => {
    await t.connected();
    const bad = { id: 42 as unknown as string };
    const a = renderHook(() => useSubscription('room', bad), { wrapper });
    const b = renderHook(() => useSubscription('room', bad), { wrapper });
    await waitFor(() => {
      expect(a.result.current.error?.code).toBe('BAD_REQUEST');
      expect(b.result.current.error?.code).toBe('BAD_REQUEST');
    });
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(1);
    // Refused, it is not shared any more: a later hook asks again.
    const c = renderHook(() => useSubscription('room', bad), { wrapper });
    await waitFor(() => expect(c.result.current.error?.code).toBe('BAD_REQUEST'));
    expect(kinds(t.rec.sent, 'sub')).toHaveLength(2);
  });

  it('the client closing ends every shared hook', async () => {
    await t.connected();
    const a = renderHook(() => useSubscription('room', { id: 'close' }), { wrapper });
    const b = renderHook(() => useSubscription('room', { id: 'close' }), { wrapper });
    await waitFor(() => expect([a.result.current.ready, b.result.current.ready]).toEqual([true, true]));
    await act(() => t.rec.client.close());
    await waitFor(() => expect([a.result.current.ready, b.result.current.ready]).toEqual([false, false]));
    expect(a.result.current.subscription).toBeUndefined();
    expect(b.result.current.subscription).toBeUndefined();
  });
});
