/**
 * @sockkit/react/query against a real server: calls as TanStack queries and mutations (with
 * the query's abort reaching the server), and a topic that updates or invalidates query data.
 */
import type { SockkitError } from '@sockkit/core';
import { QueryClient, QueryClientProvider, useMutation, useQuery } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import { createSockkitQuery, sockkitQuery } from '../src/query/index.js';
import type { Contract } from './contract.js';
import { kinds, recordingClient, startServer } from './harness.js';

const { SockkitProvider } = createSockkitReact<Contract>();
const { useSockkitQuery, useTopicSync } = createSockkitQuery<Contract>();

let env: Awaited<ReturnType<typeof startServer>>;
let rec: ReturnType<typeof recordingClient>;
let queryClient: QueryClient;
const wrapper = ({ children }: { children: ReactNode }) => (
  <QueryClientProvider client={queryClient}>
    <SockkitProvider client={rec.client}>{children}</SockkitProvider>
  </QueryClientProvider>
);

beforeAll(async () => {
  env = await startServer();
});
afterAll(async () => {
  await env.server.close({ timeout: 1000 });
});
afterEach(async () => {
  queryClient.clear();
  await rec?.client.close();
});

async function connected() {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  rec = recordingClient(env.url);
  await rec.client.ready();
}

describe('@sockkit/react/query', () => {
  it('queryOptions: a call as a query, typed, keyed by procedure and input', async () => {
    await connected();
    const { result } = renderHook(
      () => {
        const sk = useSockkitQuery();
        return useQuery(sk.queryOptions('double', { n: 4 }));
      },
      { wrapper },
    );
    await waitFor(() => expect(result.current.data).toBe(8));
    expectTypeOf(result.current.data).toEqualTypeOf<number | undefined>();
    expect(queryClient.getQueryData(sockkitQuery(rec.client).queryKey('double', { n: 4 }))).toBe(8);
    expect(kinds(rec.sent, 'call')).toHaveLength(1);
  });

  it('a query nobody observes any more is aborted on the server', async () => {
    await connected();
    const { unmount } = renderHook(() => useQuery(useSockkitQuery().queryOptions('slow', { tag: 'q' })), {
      wrapper,
    });
    await waitFor(() => expect(env.slow.map((call) => call.tag)).toContain('q'));
    const [call] = env.slow.splice(0);
    unmount();
    await waitFor(() => expect(call?.aborted).toBe(true));
  });

  it('a server error reaches the query as a SockkitError', async () => {
    await connected();
    const { result } = renderHook(() => useQuery(useSockkitQuery().queryOptions('missing', { id: 'x' })), {
      wrapper,
    });
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.error?.code).toBe('NOT_FOUND');
    expectTypeOf(result.current.error).toEqualTypeOf<SockkitError | null>();
  });

  it('mutationOptions: a call as a mutation', async () => {
    await connected();
    const { result } = renderHook(() => useMutation(useSockkitQuery().mutationOptions('double')), {
      wrapper,
    });
    let output: number | undefined;
    await act(async () => {
      output = await result.current.mutateAsync({ n: 3 });
    });
    expect(output).toBe(6);
    await waitFor(() => expect(result.current.data).toBe(6));
    expectTypeOf(result.current.error).toEqualTypeOf<SockkitError | null>();
  });

  it('useTopicSync with update: messages patch the cached data without refetching', async () => {
    await connected();
    env.texts.set('u', ['first']);
    const { result } = renderHook(
      () => {
        const sk = useSockkitQuery();
        const texts = useQuery(sk.queryOptions('texts', { id: 'u' }));
        const room = useTopicSync(
          'room',
          { id: 'u' },
          {
            queryKey: sk.queryKey('texts', { id: 'u' }),
            update: (data, message) => [...(data ?? []), message.text],
          },
        );
        return { texts, room };
      },
      { wrapper },
    );
    await waitFor(() => expect(result.current.room.ready).toBe(true));
    // The first fetch, and the one the confirmed subscription asked for (the first may have
    // missed messages): then nothing is fetching.
    await waitFor(() => expect(kinds(rec.sent, 'call')).toHaveLength(2));
    await waitFor(() => expect(queryClient.isFetching()).toBe(0)); // the cache itself, not a render of it
    expect(result.current.texts.data).toEqual(['first']);
    await act(() => env.server.publish.room({ id: 'u' }, { text: 'second' }));
    await waitFor(() => expect(result.current.texts.data).toEqual(['first', 'second']));
    expect(kinds(rec.sent, 'call')).toHaveLength(2);
  });

  it('useTopicSync without update: each message invalidates, and the query refetches', async () => {
    await connected();
    env.texts.set('i', ['one']);
    const { result } = renderHook(
      () => {
        const sk = useSockkitQuery();
        const texts = useQuery(sk.queryOptions('texts', { id: 'i' }));
        const room = useTopicSync('room', { id: 'i' }, { queryKey: sk.queryKey('texts') });
        return { texts, room };
      },
      { wrapper },
    );
    await waitFor(() => expect(result.current.room.ready).toBe(true));
    await waitFor(() => expect(result.current.texts.data).toEqual(['one']));
    env.texts.set('i', ['one', 'two']);
    await act(() => env.server.publish.room({ id: 'i' }, { text: 'two' }));
    await waitFor(() => expect(result.current.texts.data).toEqual(['one', 'two']));
  });

  it('without a client (server render) queries skip and mutations reject with UNAVAILABLE', async () => {
    const sk = sockkitQuery<Contract>(null);
    const options = sk.queryOptions('double', { n: 1 });
    expect(typeof options.queryFn).toBe('symbol');
    await expect(sk.mutationOptions('double').mutationFn({ n: 1 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(sk.queryKey('double', { n: 1 })).toEqual(['sockkit', 'double', { n: 1 }]);
    expect(sk.queryKey('double')).toEqual(['sockkit', 'double']);
  });
});
