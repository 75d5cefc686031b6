/** Types flow from the contract: names, inputs, outputs, messages and presence are checked. */
import type { SockkitError } from '@sockkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createSockkitVue } from '../src/index.js';
import { contract } from './fake-client.js';

const kit = createSockkitVue(contract);

describe('types', () => {
  it('checks procedure names and inputs, and types outputs and errors', () => {
    // Only declared, never run: these lines are checked by tsc.
    const check = () => {
      const call = kit.useCall('double', { n: 1 });
      expectTypeOf(call.data.value).toEqualTypeOf<number | undefined>();
      expectTypeOf(call.error.value).toEqualTypeOf<SockkitError | undefined>();
      expectTypeOf(call.execute).parameter(0).toEqualTypeOf<{ n: number } | undefined>();
      // @ts-expect-error unknown procedure
      kit.useCall('triple');
      // @ts-expect-error wrong input shape
      kit.useCall('double', { n: 'one' });
    };
    expectTypeOf(check).toBeFunction();
  });

  it('types topic params, messages and presence', () => {
    const check = () => {
      const room = kit.useSubscription('room', { id: 'a' }, { presence: { name: 'Ada' } });
      expectTypeOf(room.last.value).toEqualTypeOf<{ text: string } | undefined>();
      expectTypeOf(kit.usePresence(room).users.value[0]!.state).toEqualTypeOf<{ name: string }>();
      // @ts-expect-error params must have an id
      kit.useSubscription('room', { room: 'a' });
      // @ts-expect-error presence state is checked
      kit.useSubscription('room', { id: 'a' }, { presence: { nick: 'x' } });
      // @ts-expect-error unknown topic
      kit.useSubscription('lobby', {});
    };
    expectTypeOf(check).toBeFunction();
  });
});
