import { SockkitError } from '@sockkit/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createApp, effectScope, nextTick, ref } from 'vue';
import { createSockkitVue, type SockkitClientLike, sockkitPlugin, useConnectionState } from '../src/index.js';
import { contract, fakeClient } from './fake-client.js';

const kit = createSockkitVue(contract);

/** Runs `fn` in an effect scope inside an app that provides `client`. */
function withApp<T>(client: unknown, fn: () => T): { result: T; stop(): void } {
  const app = createApp({});
  app.use(sockkitPlugin(client as SockkitClientLike<typeof contract>));
  const scope = effectScope();
  const result = app.runWithContext(() => scope.run(fn)) as T;
  return { result, stop: () => scope.stop() };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await nextTick();
};

describe('provide / inject', () => {
  it('throws a clear error when no client was provided', () => {
    const scope = effectScope();
    expect(() => scope.run(() => kit.useClient())).toThrow(/no client provided/);
    scope.stop();
  });

  it('gives the provided client', () => {
    const fake = fakeClient();
    const { result, stop } = withApp(fake.client, () => kit.useClient());
    expect(result).toBe(fake.client);
    stop();
  });
});

describe('useCall', () => {
  it('calls at once, re-runs when the input changes and keeps only the latest reply', async () => {
    const fake = fakeClient();
    const n = ref(1);
    const { result, stop } = withApp(fake.client, () => kit.useCall('double', () => ({ n: n.value })));
    expectTypeOf(result.data.value).toEqualTypeOf<number | undefined>();
    expect(result.pending.value).toBe(true);
    expect(fake.calls).toHaveLength(1);
    n.value = 2;
    await flush();
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[0]!.signal?.aborted).toBe(true);
    fake.calls[1]!.resolve(4);
    fake.calls[0]!.resolve(2); // a late reply to the superseded call
    await flush();
    expect(result.data.value).toBe(4);
    expect(result.pending.value).toBe(false);
    stop();
  });

  it('is lazy without input and reports errors as SockkitError', async () => {
    const fake = fakeClient();
    const { result, stop } = withApp(fake.client, () => kit.useCall('list'));
    expect(result.pending.value).toBe(false);
    await expect(result.execute()).resolves.toBeUndefined();
    expect(result.error.value).toBeInstanceOf(SockkitError);
    expect(result.error.value?.code).toBe('UNAVAILABLE');
    stop();
  });

  it('wraps foreign errors and aborts the call in flight when the scope ends', async () => {
    const fake = fakeClient();
    const { result, stop } = withApp(fake.client, () =>
      kit.useCall('double', undefined, { immediate: false }),
    );
    const pending = result.execute({ n: 3 });
    fake.calls[0]!.reject(new TypeError('boom'));
    await pending;
    expect(result.error.value?.code).toBe('INTERNAL');
    expect(result.error.value?.message).toBe('boom');
    void result.execute({ n: 4 });
    stop();
    expect(fake.calls[1]!.signal?.aborted).toBe(true);
  });
});

describe('useSubscription', () => {
  it('delivers messages, follows param changes and unsubscribes on dispose', async () => {
    const fake = fakeClient();
    const id = ref('a');
    const seen: string[] = [];
    const { result, stop } = withApp(fake.client, () =>
      kit.useSubscription('room', () => ({ id: id.value }), { onMessage: (m) => seen.push(m.text) }),
    );
    expectTypeOf(result.last.value).toEqualTypeOf<{ text: string } | undefined>();
    await flush();
    expect(result.ready.value).toBe(true);
    fake.subs[0]!.deliver({ text: 'hi' });
    expect(result.last.value).toEqual({ text: 'hi' });
    id.value = 'b';
    await flush();
    expect(fake.subs[0]!.closed).toBe(true);
    expect(fake.subs[1]!.params).toEqual({ id: 'b' });
    id.value = 'b'; // same params: no re-subscribe
    await flush();
    expect(fake.subs).toHaveLength(2);
    stop();
    expect(fake.subs[1]!.closed).toBe(true);
    expect(seen).toEqual(['hi']);
  });

  it('subscribes only while enabled', async () => {
    const fake = fakeClient();
    const enabled = ref(false);
    const { stop } = withApp(fake.client, () => kit.useSubscription('room', { id: 'x' }, { enabled }));
    expect(fake.subs).toHaveLength(0);
    enabled.value = true;
    await flush();
    expect(fake.subs).toHaveLength(1);
    enabled.value = false;
    await flush();
    expect(fake.subs[0]!.closed).toBe(true);
    stop();
  });
});

describe('usePresence', () => {
  it('lists members and pushes presence changes without re-subscribing', async () => {
    const fake = fakeClient();
    const name = ref('Ada');
    const { result, stop } = withApp(fake.client, () => {
      const sub = kit.useSubscription('room', { id: 'p' }, { presence: () => ({ name: name.value }) });
      return kit.usePresence(sub);
    });
    await flush();
    expect(result.users.value.map((u) => u.state.name)).toEqual(['Ada']);
    fake.subs[0]!.join('c2', 'Bob');
    expect(result.count.value).toBe(2);
    name.value = 'Ada L.';
    await flush();
    expect(fake.subs[0]!.setCalls).toEqual([{ name: 'Ada L.' }]);
    expect(fake.subs).toHaveLength(1);
    await result.set({ name: 'A' });
    expect(fake.subs[0]!.setCalls).toHaveLength(2);
    stop();
  });
});

describe('useConnectionState', () => {
  it('follows the client and stops listening on dispose', () => {
    const fake = fakeClient();
    const { result, stop } = withApp(fake.client, () => useConnectionState());
    expect(result.state.value).toBe('connecting');
    fake.setState('open');
    expect(result.online.value).toBe(true);
    fake.setState('reconnecting');
    expect(result.state.value).toBe('reconnecting');
    stop();
    expect(fake.listenerCount()).toBe(0);
  });
});
