/** A small in-memory stand-in for a sockkit client, enough to drive the composables. */
import { defineContract, type PresenceMember, SockkitError } from '@sockkit/core';
import * as z from 'zod';
import type { ConnectionState, MessageInfoLike } from '../src/index.js';

export const contract = defineContract({
  server: {
    double: { input: z.object({ n: z.number() }), output: z.number() },
    list: { output: z.array(z.string()) },
  },
  topics: {
    room: {
      params: z.object({ id: z.string() }),
      message: z.object({ text: z.string() }),
      presence: z.object({ name: z.string() }),
    },
    chat: {
      params: z.object({ room: z.string() }),
      message: z.object({ text: z.string().max(20) }),
      publish: 'client',
    },
  },
});

type Listener = (...args: never[]) => void;

export interface FakeSub {
  params: { id: string };
  presence: Map<string, PresenceMember<{ name: string }>>;
  deliver(message: { text: string }): void;
  join(conn: string, name: string): void;
  closed: boolean;
  setCalls: { name: string }[];
}

export function fakeClient() {
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const subs: FakeSub[] = [];
  const calls: {
    input: unknown;
    signal: AbortSignal | undefined;
    resolve(v: unknown): void;
    reject(e: unknown): void;
  }[] = [];
  const client = {
    state: 'connecting' as ConnectionState,
    on(_event: 'state', listener: (state: ConnectionState) => void) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    call: {
      double: (input: { n: number }, options?: { signal?: AbortSignal }) =>
        new Promise<number>((resolve, reject) => {
          calls.push({ input, signal: options?.signal, resolve: (v) => resolve(v as number), reject });
        }),
      list: () => Promise.reject(new SockkitError('UNAVAILABLE', 'offline')),
    },
    subscribe: {
      room(
        params: { id: string },
        onMessage: (message: { text: string }, info: MessageInfoLike) => void,
        options?: { presence?: { name: string } },
      ) {
        const listeners = new Map<string, Set<Listener>>();
        const emit = (event: string, ...args: unknown[]) => {
          for (const fn of listeners.get(event) ?? []) (fn as (...a: unknown[]) => void)(...args);
        };
        let offset = 0;
        const fake: FakeSub = {
          params,
          presence: new Map(),
          closed: false,
          setCalls: [],
          deliver: (message) =>
            onMessage(message, { channel: `room:${params.id}`, offset: ++offset, epoch: 'e' }),
          join(conn, name) {
            fake.presence.set(conn, { conn, state: { name } });
            emit('presence', fake.presence, { type: 'join', member: { conn, state: { name } } });
          },
        };
        if (options?.presence) fake.presence.set('self', { conn: 'self', state: options.presence });
        subs.push(fake);
        return {
          ready: Promise.resolve(),
          recovered: true,
          get presence() {
            return fake.presence;
          },
          on(event: string, listener: Listener) {
            const set = listeners.get(event) ?? new Set();
            set.add(listener);
            listeners.set(event, set);
            return () => set.delete(listener);
          },
          async setPresence(state: { name: string }) {
            fake.setCalls.push(state);
          },
          unsubscribe() {
            fake.closed = true;
          },
        };
      },
    },
  };
  return {
    client,
    calls,
    subs,
    setState(state: ConnectionState) {
      client.state = state;
      for (const fn of stateListeners) fn(state);
    },
    listenerCount: () => stateListeners.size,
  };
}
