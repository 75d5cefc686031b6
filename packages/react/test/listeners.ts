/** Counting the listeners tests leave behind on a client and on the subscriptions it opens. */
import type { SockkitClient } from '@sockkit/client';
import type { Contract } from './contract.js';

/**
 * Listeners added through `on` on `client` and on the `room` subscriptions it opens from now
 * on, minus those removed.
 */
export function countListeners(client: SockkitClient<Contract>): { live(): number } {
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
  wrap(client);
  const subscribe = client.subscribe.room;
  (client.subscribe as { room: unknown }).room = (...args: Parameters<typeof subscribe>) =>
    wrap(subscribe(...args));
  return { live: () => live };
}
