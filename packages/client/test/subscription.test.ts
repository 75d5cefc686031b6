import { describe, expect, it } from 'vitest';
import { Subscription, type SubscriptionHost } from '../src/subscriptions.js';

function host(): SubscriptionHost & { unsubscribed: number } {
  return {
    unsubscribed: 0,
    sendUnsubscribe() {
      this.unsubscribed++;
    },
    sendPresence: async () => {},
    decode: (json) => json,
  };
}

describe('Subscription', () => {
  it('drops messages at or below the last offset of the same epoch (duplicates after a resume)', () => {
    const sub = new Subscription<number>('t', undefined, host(), undefined);
    const got: number[] = [];
    sub.on('message', (m) => got.push(m));
    sub.confirmed('t', { epoch: 'e', offset: 2 }, true, undefined);
    for (const o of [2, 3, 3, 4, 1]) sub.deliver('e', o, o, undefined);
    sub.deliver('e', undefined, -1, undefined); // volatile: no offset, always delivered
    sub.deliver('f', 1, 100, undefined); // a new epoch starts over
    expect(got).toEqual([3, 4, -1, 100]);
    expect(sub.position).toEqual({ epoch: 'f', offset: 1 });
  });

  it('settles ready once, and reports recovered on every confirmation', async () => {
    const sub = new Subscription('t', undefined, host(), undefined);
    const flags: boolean[] = [];
    sub.on('recovered', (ok) => flags.push(ok));
    sub.confirmed('t', { epoch: 'e', offset: 0 }, true, undefined);
    await sub.ready;
    sub.confirmed('t', { epoch: 'x', offset: 9 }, false, undefined);
    expect(flags).toEqual([true, false]);
    expect(sub.recovered).toBe(false);
  });

  it('keeps presence from the snapshot and events', () => {
    const sub = new Subscription<unknown, { n: string }>('t', undefined, host(), undefined);
    sub.confirmed('t', { epoch: 'e', offset: 0 }, true, [{ conn: 'a', d: { n: 'A' } }]);
    sub.presenceEvent('join', { conn: 'b', user: 'ub', d: { n: 'B' } });
    sub.presenceEvent('leave', { conn: 'a' });
    expect([...sub.presence.values()]).toEqual([{ conn: 'b', user: 'ub', state: { n: 'B' } }]);
  });

  it('iterates messages and ends on unsubscribe, dropping what was still queued', async () => {
    const h = host();
    const sub = new Subscription<number>('t', undefined, h, undefined);
    sub.confirmed('t', { epoch: 'e', offset: 0 }, true, undefined);
    const iterator = sub[Symbol.asyncIterator]();
    sub.deliver('e', 1, 10, undefined);
    sub.deliver('e', 2, 20, undefined);
    expect(await iterator.next()).toMatchObject({ done: false, value: { message: 10, offset: 1 } });
    sub.unsubscribe();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(h.unsubscribed).toBe(1);
  });

  it('rejects ready and throws in iterators when the server refuses', async () => {
    const sub = new Subscription('t', undefined, host(), undefined);
    const iterator = sub[Symbol.asyncIterator]();
    const next = iterator.next();
    const { SockkitError } = await import('@sockkit/core');
    sub.fail(new SockkitError('FORBIDDEN', 'no'));
    await expect(sub.ready).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(next).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
