/**
 * The registry behind the UI bindings' shared subscriptions, on real `Subscription` objects
 * driven by hand: what is kept for replay (non-volatile, bounded, dropped after a failed
 * resume), a hook that throws, ended subscriptions and separate clients.
 */
import { describe, expect, it } from 'vitest';
import { shareSubscription } from '../src/shared-subscriptions.js';
import { Subscription, type SubscriptionHost } from '../src/subscriptions.js';

/** A client-shaped object whose `subscribe.t` opens real subscriptions, recorded in `opened`. */
function fakeClient() {
  const opened: Subscription<string>[] = [];
  const host: SubscriptionHost = {
    sendUnsubscribe() {},
    sendPresence: async () => {},
    decode: (json) => json,
  };
  const client = {
    subscribe: {
      t(params: unknown, onMessage: (message: string) => void, options: { history?: number }) {
        const sub = new Subscription<string>('t', params, host, options);
        sub.on('message', onMessage);
        opened.push(sub);
        return sub;
      },
    },
  };
  return { client, opened };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function hook(client: object, history?: number) {
  const got: string[] = [];
  const share = shareSubscription<Subscription<string>, string, never>(
    client as never,
    't',
    { a: 1 },
    {
      history,
      onMessage: (message) => got.push(message),
    },
  );
  return { got, share };
}

describe('shareSubscription', () => {
  it('keeps non-volatile messages up to the largest history asked, and replays the last N', async () => {
    const { client, opened } = fakeClient();
    const first = hook(client, 2);
    const sub = opened[0]!;
    sub.confirmed('t:a', { epoch: 'e', offset: 0 }, true, undefined);
    for (const [offset, text] of [
      [1, 'one'],
      [2, 'two'],
      [undefined, 'volatile'],
      [3, 'three'],
    ] as const)
      sub.deliver('e', offset, text, undefined);
    const late = hook(client, 5);
    expect(late.got).toEqual([]);
    sub.deliver('e', 4, 'four', undefined); // arrives before the replay: queued behind it
    await flush();
    expect(late.got).toEqual(['two', 'three', 'four']);
    expect(first.got).toEqual(['one', 'two', 'volatile', 'three', 'four']);
    expect(opened).toHaveLength(1);
  });

  it('drops what it kept when a resume could not be served', async () => {
    const { client, opened } = fakeClient();
    hook(client, 3);
    const sub = opened[0]!;
    sub.confirmed('t:a', { epoch: 'e', offset: 0 }, true, undefined);
    sub.deliver('e', 1, 'old', undefined);
    sub.confirmed('t:a', { epoch: 'f', offset: 0 }, false, undefined);
    sub.deliver('f', 1, 'new', undefined);
    const late = hook(client, 3);
    await flush();
    expect(late.got).toEqual(['new']);
  });

  it('a hook that throws does not keep the message from the others', async () => {
    const { client, opened } = fakeClient();
    const thrown: unknown[] = [];
    const onError = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onError);
    try {
      shareSubscription(
        client as never,
        't',
        { a: 1 },
        {
          onMessage: () => {
            throw new Error('boom');
          },
        },
      );
      const other = hook(client);
      opened[0]!.confirmed('t:a', { epoch: 'e', offset: 0 }, true, undefined);
      opened[0]!.deliver('e', 1, 'm', undefined);
      expect(other.got).toEqual(['m']);
      await flush();
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(thrown).toHaveLength(1);
  });

  it('an ended subscription is not shared again; clients do not share with each other', () => {
    const { client, opened } = fakeClient();
    const a = hook(client);
    opened[0]!.end();
    hook(client);
    expect(opened).toHaveLength(2);
    a.share.release();
    expect(opened[1]!.ended).toBe(false);
    const other = fakeClient();
    hook(other.client);
    expect(other.opened).toHaveLength(1);
  });

  it('release is idempotent: a hook released twice does not release another', () => {
    const { client, opened } = fakeClient();
    const a = hook(client);
    hook(client);
    a.share.release();
    a.share.release();
    expect(opened[0]!.ended).toBe(false);
  });
});
