/**
 * usePublish against a real server: where a publish landed, the server's refusal as a typed
 * error, defaults merged with each publish's own options, and unmount while offline: a queued
 * publish is never sent.
 */
import { startProxy } from '@sockkit/testing';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds, recordingClient, startServer } from './harness.js';

const { SockkitProvider, usePublish } = createSockkitReact<Contract>();

let env: Awaited<ReturnType<typeof startServer>>;
let rec: ReturnType<typeof recordingClient>;
const wrapper = ({ children }: { children: ReactNode }) => (
  <SockkitProvider client={rec.client}>{children}</SockkitProvider>
);

beforeAll(async () => {
  env = await startServer();
});
afterAll(async () => {
  await env.server.close({ timeout: 1000 });
});
afterEach(async () => {
  await rec?.client.close();
});

describe('usePublish', () => {
  it('publishes; result says where it landed; subscribers get it', async () => {
    rec = recordingClient(env.url);
    await rec.client.ready();
    const got: string[] = [];
    const listener = recordingClient(env.url);
    const sub = listener.client.subscribe.chat({ room: 'pub' }, (message) => got.push(message.text));
    await sub.ready;
    const { result } = renderHook(() => usePublish('chat'), { wrapper, reactStrictMode: true });
    let landed: Awaited<ReturnType<typeof result.current.publish>>;
    await act(async () => {
      landed = await result.current.publish({ room: 'pub' }, { text: 'hello' });
    });
    expect(landed!).toMatchObject({ offset: 1 });
    expect(result.current).toMatchObject({ pending: false, error: undefined, result: landed! });
    await waitFor(() => expect(got).toEqual(['hello']));
    await listener.client.close();
  });

  it('a message the schema refuses lands in error as BAD_REQUEST; reset clears it', async () => {
    rec = recordingClient(env.url);
    await rec.client.ready();
    const { result } = renderHook(() => usePublish('chat'), { wrapper });
    let landed: unknown = 'unset';
    await act(async () => {
      landed = await result.current.publish({ room: 'pub' }, { text: 'x'.repeat(21) });
    });
    expect(landed).toBeUndefined();
    expect(result.current.error?.code).toBe('BAD_REQUEST');
    act(() => result.current.reset());
    expect(result.current.error).toBeUndefined();
  });

  it('the hook’s defaults go out with each publish unless the publish overrides them', async () => {
    rec = recordingClient(env.url);
    await rec.client.ready();
    const { result } = renderHook(() => usePublish('chat', { volatile: true }), { wrapper });
    await act(async () => {
      await result.current.publish({ room: 'pub' }, { text: 'one' });
      await result.current.publish({ room: 'pub' }, { text: 'two' }, { volatile: false });
    });
    expect(kinds(rec.sent, 'pub').map((pub) => pub.volatile)).toEqual([true, undefined]);
  });

  it('unmounting while offline drops the queued publish: it is never sent, even once back online', async () => {
    const proxy = await startProxy(env.port);
    proxy.refuse(); // offline: publishes queue in the client
    rec = recordingClient(`ws://127.0.0.1:${proxy.port}`);
    const { result, unmount } = renderHook(() => usePublish('chat'), { wrapper });
    let settled: Promise<unknown> | undefined;
    act(() => {
      settled = result.current.publish({ room: 'pub' }, { text: 'queued' });
    });
    expect(result.current.pending).toBe(true);
    unmount();
    await expect(settled).resolves.toBeUndefined();
    proxy.accept();
    await rec.client.ready();
    // A call after it: its answer means everything queued before was flushed.
    await expect(rec.client.call.double({ n: 1 })).resolves.toBe(2);
    expect(kinds(rec.sent, 'call')).toHaveLength(1);
    expect(kinds(rec.sent, 'pub')).toHaveLength(0);
    await rec.client.close();
    await proxy.close();
  });
});
