/**
 * Types flow from the contract's type alone (`import type`): names, inputs, params, messages
 * and presence states are checked, and wrong ones do not compile. These run as tests too, but
 * what they prove is that `tsc` (the package's typecheck) accepts the file.
 */
import type { SockkitClient } from '@sockkit/client';
import type { SockkitError } from '@sockkit/core';
import { renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import { createSockkitReact, type PresentUser, type PublishState } from '../src/index.js';
import type { Contract } from './contract.js';

const kit = createSockkitReact<Contract>();
const wrapper = ({ children }: { children: ReactNode }) => (
  <kit.SockkitProvider client={null}>{children}</kit.SockkitProvider>
);
/** Runs `hook` in a component with no client: types are what is under test, not behaviour. */
const run = <T,>(hook: () => T): T => renderHook(hook, { wrapper }).result.current;

describe('types from the contract', () => {
  it('useCall: procedure names, inputs and outputs', () => {
    const doubled = run(() => kit.useCall('double', { n: 1 }));
    expectTypeOf(doubled.data).toEqualTypeOf<number | undefined>();
    expectTypeOf(doubled.error).toEqualTypeOf<SockkitError | undefined>();
    expectTypeOf(doubled.execute).parameter(0).toEqualTypeOf<{ n: number } | undefined>();
    const list = run(() => kit.useCall('list'));
    expectTypeOf(list.data).toEqualTypeOf<string[] | undefined>();
    run(() => {
      // @ts-expect-error: no such procedure
      kit.useCall('doubel', { n: 1 });
      // @ts-expect-error: wrong input type
      kit.useCall('double', { n: 'one' });
      // @ts-expect-error: unknown input key
      kit.useCall('double', { n: 1, extra: true });
      // @ts-expect-error: a topic is not a procedure
      kit.useCall('room');
    });
    expect(doubled.status).toBe('idle');
  });

  it('useSubscription and usePresence: topic names, params, messages, presence states', () => {
    const room = run(() => kit.useSubscription('room', { id: 'a' }, { presence: { name: 'Ada' } }));
    expectTypeOf(room.last).toEqualTypeOf<{ text: string } | undefined>();
    expectTypeOf<(typeof room.members)[number]['state']>().toEqualTypeOf<{ name: string }>();
    const presence = run(() => kit.usePresence(room));
    expectTypeOf(presence.users).toEqualTypeOf<readonly PresentUser<{ name: string }>[]>();
    expectTypeOf(presence.set).parameter(0).toEqualTypeOf<{ name: string }>();
    run(() => {
      kit.useSubscription(
        'room',
        { id: 'a' },
        { onMessage: (message) => expectTypeOf(message.text).toBeString() },
      );
      kit.useSubscription('news', undefined);
      // @ts-expect-error: no such topic
      kit.useSubscription('rooms', { id: 'a' });
      // @ts-expect-error: wrong params
      kit.useSubscription('room', { room: 'a' });
      // @ts-expect-error: params are required for this topic
      kit.useSubscription('room', undefined);
      // @ts-expect-error: wrong presence state
      kit.useSubscription('room', { id: 'a' }, { presence: { nick: 'Ada' } });
    });
    expect(room.ready).toBe(false);
  });

  it('usePublish: only topics clients may publish to, with their params and messages', () => {
    const chat = run(() => kit.usePublish('chat'));
    expectTypeOf(chat.publish).parameters.toEqualTypeOf<
      [params: { room: string }, message: { text: string }, options?: Parameters<typeof chat.publish>[2]]
    >();
    expectTypeOf(chat).toExtend<PublishState>();
    run(() => {
      // @ts-expect-error: the server alone publishes to `room`
      kit.usePublish('room');
      // @ts-expect-error: no such topic
      kit.usePublish('chats');
    });
    // @ts-expect-error: wrong message
    void chat.publish({ room: 'a' }, { body: 'hi' });
    // @ts-expect-error: wrong params
    void chat.publish({ id: 'a' }, { text: 'hi' });
    expect(chat.pending).toBe(false);
  });

  it('the provider and useClient take and give a client of this contract', () => {
    expectTypeOf(kit.useClient).returns.toEqualTypeOf<SockkitClient<Contract>>();
    expectTypeOf(kit.SockkitProvider)
      .parameter(0)
      .toHaveProperty('client')
      .toEqualTypeOf<SockkitClient<Contract> | null>();
    // Compiled, never run: a client of another contract is refused.
    const wrongClient = (other: SockkitClient<{ server: { ping: { output: z.ZodString } } }>) => (
      // @ts-expect-error: this client has no `double`, `list`… of Contract
      <kit.SockkitProvider client={other}>{null}</kit.SockkitProvider>
    );
    expectTypeOf(wrongClient).toBeFunction();
    expect(run(() => kit.useConnectionState()).state).toBe('closed');
  });
});
