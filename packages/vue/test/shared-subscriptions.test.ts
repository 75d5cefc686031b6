/**
 * Scopes on the same channel share one client subscription, against a real server, asserting
 * on the frames the client sent: one `sub` for two scopes (each sees every message once), no
 * `unsub` until the last is disposed, a params change that moves one scope only, history
 * replayed to a scope that comes late, one presence owner per channel, and a refusal that fails
 * every scope. Then the same sharing with the fake client.
 */
import { createSockkitClient, type SockkitClient } from '@sockkit/client';
import { recordingSocket, type SentMessage } from '@sockkit/testing/recording-socket';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { createSockkitVue } from '../src/index.js';
import { type contract, fakeClient } from './fake-client.js';
import { inApp, until } from './in-app.js';
import { startRealServer } from './real-server.js';

const kit = createSockkitVue<typeof contract>();

let server: Awaited<ReturnType<typeof startRealServer>>;
let client: SockkitClient<typeof contract>;
let sent: SentMessage[];

const kinds = (t: string) => sent.filter((message) => message.t === t);
const scope = <T>(fn: () => T) => inApp(client, fn);
const pause = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startRealServer();
});

beforeEach(async () => {
  sent = [];
  client = createSockkitClient<typeof contract>({
    url: `ws://127.0.0.1:${server.port}`,
    WebSocket: recordingSocket(sent),
  });
  await client.ready();
});

afterEach(() => client.close());

afterAll(() => server.close({ timeout: 1000 }));

describe('scopes on the same channel (real client)', () => {
  it('two scopes: one sub, each message once to each, one unsub after the last', async () => {
    const list: string[] = [];
    const badge: string[] = [];
    const first = scope(() =>
      kit.useSubscription('room', { id: 'lobby' }, { onMessage: (m) => list.push(m.text) }),
    );
    const second = scope(() =>
      kit.useSubscription('room', { id: 'lobby' }, { onMessage: (m) => badge.push(m.text) }),
    );
    await until(() => first.result.ready.value && second.result.ready.value, 'both ready');
    expect(second.result.error.value).toBeUndefined();
    expect(kinds('sub')).toHaveLength(1);
    await server.publish.room({ id: 'lobby' }, { text: 'a' });
    await server.publish.room({ id: 'lobby' }, { text: 'b' });
    await until(() => list.length === 2 && badge.length === 2, 'two messages each');

    first.stop();
    await server.publish.room({ id: 'lobby' }, { text: 'c' });
    await until(() => second.result.last.value?.text === 'c', 'c on the second');
    expect(badge).toEqual(['a', 'b', 'c']);
    expect(list).toEqual(['a', 'b']);
    expect(kinds('unsub')).toHaveLength(0);

    second.stop();
    await until(() => kinds('unsub').length === 1, 'the unsub');
    await pause();
    expect(kinds('unsub')).toHaveLength(1);
    expect(kinds('sub')).toHaveLength(1);
    expect(client.subscriptions()).toHaveLength(0);
  });

  it('new params move only the scope whose params changed', async () => {
    const id = ref('pa');
    const a = scope(() => kit.useSubscription('room', { id: 'pa' }));
    const b = scope(() => kit.useSubscription('room', () => ({ id: id.value })));
    await until(() => a.result.ready.value && b.result.ready.value, 'both ready');
    id.value = 'pb';
    await nextTick();
    await until(() => b.result.ready.value, 'b moved');
    expect(kinds('sub').map((sub) => sub.params)).toEqual([{ id: 'pa' }, { id: 'pb' }]);
    expect(kinds('unsub')).toHaveLength(0);
    await server.publish.room({ id: 'pa' }, { text: 'to a' });
    await server.publish.room({ id: 'pb' }, { text: 'to b' });
    await until(
      () => a.result.last.value?.text === 'to a' && b.result.last.value?.text === 'to b',
      'messages',
    );
    a.stop();
    b.stop();
  });

  it('history: a scope attaching to a live subscription is replayed the last N messages', async () => {
    for (const text of ['one', 'two', 'three']) await server.publish.room({ id: 'late' }, { text });
    const early: string[] = [];
    const first = scope(() =>
      kit.useSubscription('room', { id: 'late' }, { history: 2, onMessage: (m) => early.push(m.text) }),
    );
    await until(() => early.length === 2, 'history');
    await server.publish.room({ id: 'late' }, { text: 'four' });
    await until(() => first.result.last.value?.text === 'four', 'four');
    const late: string[] = [];
    const second = scope(() =>
      kit.useSubscription('room', { id: 'late' }, { history: 2, onMessage: (m) => late.push(m.text) }),
    );
    // Replayed a microtask later, never inside setup.
    expect(late).toEqual([]);
    await until(() => second.result.last.value?.text === 'four', 'replay');
    expect(late).toEqual(['three', 'four']);
    await server.publish.room({ id: 'late' }, { text: 'five' });
    await until(() => late.length === 3, 'five');
    expect(early).toEqual(['two', 'three', 'four', 'five']);
    expect(late).toEqual(['three', 'four', 'five']);
    expect(kinds('sub')).toHaveLength(1);
    first.stop();
    second.stop();
  });

  it('presence: one owner, a follower sees its members, a second owner gets CONFLICT', async () => {
    const owner = scope(() => kit.useSubscription('room', { id: 'po' }, { presence: { name: 'Ada' } }));
    const follower = scope(() => kit.useSubscription('room', { id: 'po' }));
    await until(() => follower.result.members.value.length === 1, 'the owner on the follower');
    expect(follower.result.members.value[0]?.state.name).toBe('Ada');
    const rival = scope(() => kit.useSubscription('room', { id: 'po' }, { presence: { name: 'Bob' } }));
    expect(rival.result.error.value?.code).toBe('CONFLICT');
    expect(rival.result.subscription.value).toBeUndefined();
    await pause();
    expect(owner.result.members.value.map((m) => m.state.name)).toEqual(['Ada']);
    expect(kinds('sub')).toHaveLength(1);
    expect(kinds('pset')).toHaveLength(0);
    for (const made of [owner, follower, rival]) made.stop();
  });

  it('presence: a scope with presence joins a live subscription made without it (pset)', async () => {
    const plain = scope(() => kit.useSubscription('room', { id: 'pj' }));
    await until(() => plain.result.ready.value, 'ready');
    const joiner = scope(() => kit.useSubscription('room', { id: 'pj' }, { presence: { name: 'Lin' } }));
    await until(() => plain.result.members.value.length === 1, 'joined');
    expect(joiner.result.members.value.map((m) => m.state.name)).toEqual(['Lin']);
    expect(joiner.result.error.value).toBeUndefined();
    expect(kinds('pset')).toHaveLength(1);
    expect(kinds('sub')).toHaveLength(1);
    plain.stop();
    joiner.stop();
  });

  it('a refused subscription fails every scope attached to it', async () => {
    const bad = { id: 42 as unknown as string };
    const a = scope(() => kit.useSubscription('room', bad));
    const b = scope(() => kit.useSubscription('room', bad));
    await until(() => a.result.error.value !== undefined && b.result.error.value !== undefined, 'refused');
    expect([a.result.error.value?.code, b.result.error.value?.code]).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
    expect(kinds('sub')).toHaveLength(1);
    a.stop();
    b.stop();
  });
});

describe('scopes on the same channel (fake client)', () => {
  it('share one subscription until the last scope is disposed', async () => {
    const fake = fakeClient();
    const seen: string[][] = [[], []];
    const made = [0, 1].map((i) =>
      inApp(fake.client as never, () =>
        kit.useSubscription('room', { id: 's' }, { onMessage: (m) => seen[i]!.push(m.text) }),
      ),
    );
    await nextTick();
    expect(fake.subs).toHaveLength(1);
    fake.subs[0]!.deliver({ text: 'hi' });
    expect(seen).toEqual([['hi'], ['hi']]);
    made[0]!.stop();
    expect(fake.subs[0]!.closed).toBe(false);
    fake.subs[0]!.deliver({ text: 'again' });
    expect(seen).toEqual([['hi'], ['hi', 'again']]);
    made[1]!.stop();
    expect(fake.subs[0]!.closed).toBe(true);
  });

  it('a presence change of the owner goes through setPresence; a rival gets CONFLICT', async () => {
    const fake = fakeClient();
    const name = ref('Ada');
    const owner = inApp(fake.client as never, () =>
      kit.useSubscription('room', { id: 'p' }, { presence: () => ({ name: name.value }) }),
    );
    const rival = inApp(fake.client as never, () =>
      kit.useSubscription('room', { id: 'p' }, { presence: { name: 'Bob' } }),
    );
    expect(rival.result.error.value?.code).toBe('CONFLICT');
    name.value = 'Ada L.';
    await nextTick();
    expect(fake.subs[0]!.setCalls).toEqual([{ name: 'Ada L.' }]);
    expect(fake.subs).toHaveLength(1);
    owner.stop();
    rival.stop();
  });
});
