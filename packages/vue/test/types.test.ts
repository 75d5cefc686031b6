/** Types flow from the contract: names, inputs, outputs, messages and presence are checked. */
import { defineContract, type SockkitError } from '@sockkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { MessageInfoLike, PublishResultLike, SubscriptionLike } from '../src/index.js';
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

  it('publishes only to topics clients may publish to, with checked params and message', () => {
    const check = () => {
      const chat = kit.usePublish('chat');
      expectTypeOf(chat.publish).parameter(0).toEqualTypeOf<{ room: string }>();
      expectTypeOf(chat.publish).parameter(1).toEqualTypeOf<{ text: string }>();
      expectTypeOf(chat.publish).returns.toEqualTypeOf<Promise<PublishResultLike | undefined>>();
      expectTypeOf(chat.result.value).toEqualTypeOf<PublishResultLike | undefined>();
      expectTypeOf(chat.error.value).toEqualTypeOf<SockkitError | undefined>();
      expectTypeOf(chat.pending.value).toEqualTypeOf<boolean>();
      chat.publish({ room: 'a' }, { text: 'hi' }, { volatile: true, timeout: 500 });
      // @ts-expect-error 'room' is published by the server only
      kit.usePublish('room');
      // @ts-expect-error unknown topic
      kit.usePublish('lobby');
      // @ts-expect-error params must name the room
      chat.publish({ id: 'a' }, { text: 'hi' });
      // @ts-expect-error the message is checked
      chat.publish({ room: 'a' }, { body: 'hi' });
      // @ts-expect-error the message is required
      chat.publish({ room: 'a' });
      // @ts-expect-error unknown publish option
      chat.publish({ room: 'a' }, { text: 'hi' }, { retain: true });
    };
    expectTypeOf(check).toBeFunction();
  });

  it("publishes what the topic's publishInput says, when it has one (the server stamps the rest)", () => {
    const stamped = createSockkitVue(
      defineContract({
        topics: {
          room: {
            publishInput: z.object({ text: z.string() }),
            message: z.object({ text: z.string(), author: z.string() }),
            publish: 'client',
          },
        },
      }),
    );
    const check = () => {
      const room = stamped.usePublish('room');
      expectTypeOf(room.publish).parameter(1).toEqualTypeOf<{ text: string }>();
      room.publish(undefined, { text: 'hi' });
      // @ts-expect-error the author is the server's to stamp
      room.publish(undefined, { text: 'hi', author: 'me' });
      expectTypeOf(stamped.useClient().publish.room).parameter(1).toEqualTypeOf<{ text: string }>();
    };
    expectTypeOf(check).toBeFunction();
  });

  it('useClient has everything the client has, typed from the contract', () => {
    const check = async () => {
      const client = kit.useClient();
      expectTypeOf(client.session).toEqualTypeOf<string | undefined>();
      expectTypeOf(client.connectionId).toEqualTypeOf<string | undefined>();
      expectTypeOf(await client.call.double({ n: 1 })).toEqualTypeOf<number>();
      expectTypeOf(
        await client.publish.chat({ room: 'a' }, { text: 'hi' }),
      ).toEqualTypeOf<PublishResultLike>();
      // @ts-expect-error 'room' is published by the server only
      client.publish.room({ id: 'a' }, { text: 'hi' });
      // @ts-expect-error the message is checked
      client.publish.chat({ room: 'a' }, { text: 1 });
      const sub = client.subscribe.room({ id: 'a' }, undefined, { presence: { name: 'Ada' } });
      expectTypeOf(sub).toEqualTypeOf<
        SubscriptionLike<{ text: string }, { name: string }, { name: string }>
      >();
      for await (const item of sub) expectTypeOf(item.message).toEqualTypeOf<{ text: string }>();
      sub.on('message', (message, info) => {
        expectTypeOf(message).toEqualTypeOf<{ text: string }>();
        expectTypeOf(info).toEqualTypeOf<MessageInfoLike>();
      });
      expectTypeOf(client.subscriptions()).toEqualTypeOf<SubscriptionLike<unknown, unknown>[]>();
      client.on('error', (error) => expectTypeOf(error).toEqualTypeOf<SockkitError>());
      client.on('subscription', (pushed) =>
        expectTypeOf(pushed).toEqualTypeOf<SubscriptionLike<unknown, unknown>>(),
      );
      expectTypeOf(client.ready()).toEqualTypeOf<Promise<void>>();
      expectTypeOf(client.updateAuth()).toEqualTypeOf<Promise<void>>();
      expectTypeOf(client.close()).toEqualTypeOf<Promise<void>>();
    };
    expectTypeOf(check).toBeFunction();
  });
});
