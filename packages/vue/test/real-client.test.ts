/**
 * The composables against a real sockkit server and client over 127.0.0.1: calls, a
 * subscription that ends when its scope is disposed, presence and connection state. Both the
 * composables and the client get the contract's type only, as a browser app gives them.
 */
import { createSockkitClient, type SockkitClient } from '@sockkit/client/node';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { createSockkitVue, type SockkitClientLike } from '../src/index.js';
import type { contract } from './fake-client.js';
import { inApp as inAppWith, until } from './in-app.js';
import { startRealServer } from './real-server.js';

const inApp = <T>(fn: () => T) => inAppWith(client, fn);

const kit = createSockkitVue<typeof contract>();

let server: Awaited<ReturnType<typeof startRealServer>>;
let client: SockkitClient<typeof contract>;

beforeAll(async () => {
  server = await startRealServer();
  client = createSockkitClient<typeof contract>({ url: `ws://127.0.0.1:${server.port}` });
  await client.ready();
});

afterAll(async () => {
  await client.close();
  await server.close({ timeout: 1000 });
});

describe('with a real client', () => {
  it('the real client satisfies the shape the composables need', () => {
    expectTypeOf<SockkitClient<typeof contract>>().toExtend<SockkitClientLike<typeof contract>>();
  });

  it('useCall follows reactive input', async () => {
    const n = ref(2);
    const { result, stop } = inApp(() => kit.useCall('double', () => ({ n: n.value })));
    await until(() => result.data.value === 4, 'first result');
    n.value = 5;
    await until(() => result.data.value === 10, 'second result');
    stop();
  });

  it('useSubscription receives, tracks presence and unsubscribes on dispose', async () => {
    const seen: string[] = [];
    const { result, stop } = inApp(() => {
      const sub = kit.useSubscription(
        'room',
        { id: 'r1' },
        {
          presence: { name: 'Ada' },
          onMessage: (message) => seen.push(message.text),
        },
      );
      return { sub, presence: kit.usePresence(sub), conn: kit.useConnectionState() };
    });
    expect(result.conn.state.value).toBe('open');
    await until(() => result.sub.ready.value, 'subscribed');
    await until(() => result.presence.count.value === 1, 'own presence');
    await server.publish.room({ id: 'r1' }, { text: 'one' });
    await until(() => seen.length === 1, 'a message');
    const live = result.sub.subscription.value;
    stop();
    await nextTick();
    expect(client.subscriptions()).not.toContain(live);
    await server.publish.room({ id: 'r1' }, { text: 'two' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['one']);
  });

  it('useSubscription with history delivers the last N messages before live ones', async () => {
    for (const text of ['one', 'two', 'three']) await server.publish.room({ id: 'hist' }, { text });
    const got: string[] = [];
    const { result, stop } = inApp(() =>
      kit.useSubscription('room', { id: 'hist' }, { history: 2, onMessage: (m) => got.push(m.text) }),
    );
    await until(() => got.length === 2, 'history');
    await server.publish.room({ id: 'hist' }, { text: 'four' });
    await until(() => result.last.value?.text === 'four', 'live message');
    expect(got).toEqual(['two', 'three', 'four']);
    stop();
  });

  it('useSubscription follows params flipped back before the server confirmed', async () => {
    const id = ref('r2');
    const seen: string[] = [];
    const { result, stop } = inApp(() => {
      const sub = kit.useSubscription('room', () => ({ id: id.value }), {
        presence: { name: 'Flip' },
        onMessage: (message) => seen.push(message.text),
      });
      return { sub, presence: kit.usePresence(sub) };
    });
    // r2 -> r3 -> r2, each before a confirmation can have arrived.
    await nextTick();
    id.value = 'r3';
    await nextTick();
    id.value = 'r2';
    await nextTick();
    await until(() => result.sub.ready.value, 'subscribed to r2 again');
    expect(result.sub.error.value).toBeUndefined();
    await until(() => result.presence.count.value === 1, 'own presence');
    await server.publish.room({ id: 'r2' }, { text: 'back' });
    await until(() => seen.length === 1, 'a message on r2');
    expect(seen).toEqual(['back']);
    stop();
  });
});
