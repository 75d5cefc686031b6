/**
 * The structural client type the composables accept and `useClient()` returns keeps up with
 * the real client: the real one fits it, and it leaves out nothing the real one has.
 */
import type {
  CallOptions,
  ClientEvents,
  ClientStreams,
  MessageInfo,
  PublishOptions,
  PublishResult,
  SendStreamOptions,
  ServerStream,
  SockkitClient,
  StreamOptions,
  SubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionItem,
} from '@sockkit/client';
import type { PresenceStateInput, Topics } from '@sockkit/core';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  CallOptionsLike,
  ClientEventsLike,
  MessageInfoLike,
  PublishOptionsLike,
  PublishResultLike,
  SendStreamOptionsLike,
  ServerStreamLike,
  SockkitClientLike,
  StreamOptionsLike,
  SubscribeOptionsLike,
  SubscriptionEventsLike,
  SubscriptionItemLike,
  SubscriptionLike,
} from '../src/index.js';
import type { contract } from './fake-client.js';
import type { streamContract } from './stream-contract.js';

type C = typeof contract;
/** Members of the real `Subscription` marked `@internal`: the client's own bookkeeping. */
type InternalSubscriptionMembers =
  | 'subscribedPresence'
  | 'requestId'
  | 'history'
  | 'confirmed'
  | 'deliver'
  | 'presenceEvent'
  | 'fail'
  | 'end';

/** The real client with its `streams` part. */
type StreamingClient<X> = SockkitClient<X> & ClientStreams<X>;

describe('client shape', () => {
  it('the real client fits it, with the streams part or without', () => {
    expectTypeOf<SockkitClient<C>>().toExtend<SockkitClientLike<C>>();
    expectTypeOf<StreamingClient<C>>().toExtend<SockkitClientLike<C>>();
    expectTypeOf<Subscription<{ text: string }, { name: string }>>().toExtend<
      SubscriptionLike<{ text: string }, { name: string }>
    >();
  });

  it('leaves out nothing the real client has', () => {
    expectTypeOf<keyof SockkitClientLike<C>>().toEqualTypeOf<keyof StreamingClient<C>>();
    expectTypeOf<keyof SockkitClientLike<C>['call']>().toEqualTypeOf<keyof SockkitClient<C>['call']>();
    expectTypeOf<keyof SockkitClientLike<C>['subscribe']>().toEqualTypeOf<
      keyof SockkitClient<C>['subscribe']
    >();
    expectTypeOf<keyof SockkitClientLike<C>['publish']>().toEqualTypeOf<keyof SockkitClient<C>['publish']>();
    expectTypeOf<keyof ClientEventsLike>().toEqualTypeOf<keyof ClientEvents>();
    expectTypeOf<keyof SubscriptionLike<unknown, unknown>>().toEqualTypeOf<
      Exclude<keyof Subscription<unknown, unknown>, InternalSubscriptionMembers>
    >();
    expectTypeOf<keyof SubscriptionEventsLike<unknown, unknown>>().toEqualTypeOf<
      keyof SubscriptionEvents<unknown, unknown>
    >();
    expectTypeOf<MessageInfoLike>().toEqualTypeOf<MessageInfo>();
    expectTypeOf<SubscriptionItemLike<string>>().toEqualTypeOf<SubscriptionItem<string>>();
    expectTypeOf<CallOptionsLike>().toEqualTypeOf<CallOptions>();
    expectTypeOf<PublishOptionsLike>().toEqualTypeOf<PublishOptions>();
    expectTypeOf<SubscribeOptionsLike<PresenceStateInput<Topics<C>['room']>>>().toEqualTypeOf<
      SubscribeOptions<Topics<C>['room']>
    >();
    expectTypeOf<PublishResultLike>().toEqualTypeOf<PublishResult>();
    type S = typeof streamContract;
    expectTypeOf<StreamingClient<S>>().toExtend<SockkitClientLike<S>>();
    expectTypeOf<keyof NonNullable<SockkitClientLike<S>['stream']>>().toEqualTypeOf<
      keyof StreamingClient<S>['stream']
    >();
    expectTypeOf<StreamOptionsLike>().toEqualTypeOf<StreamOptions>();
    expectTypeOf<SendStreamOptionsLike<string>>().toEqualTypeOf<SendStreamOptions<string>>();
    expectTypeOf<keyof ServerStreamLike<string, number>>().toEqualTypeOf<
      keyof ServerStream<string, number>
    >();
    expectTypeOf<keyof NonNullable<SockkitClientLike<C>['stream']>>().toEqualTypeOf<
      keyof StreamingClient<C>['stream']
    >();
  });
});
