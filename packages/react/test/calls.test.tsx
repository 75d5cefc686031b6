/**
 * useCall against a real server: immediate and lazy calls, input changes compared by value,
 * StrictMode, errors, and a call in flight when the component unmounts.
 */
import { SockkitError } from '@sockkit/core';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds, recordingClient, startServer } from './harness.js';

const { SockkitProvider, useCall } = createSockkitReact<Contract>();

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

async function connected() {
  rec = recordingClient(env.url);
  await rec.client.ready();
}

describe('useCall', () => {
  it('calls once under StrictMode, and again only when the input changes by value', async () => {
    await connected();
    const { result, rerender } = renderHook(({ n }) => useCall('double', { n }), {
      wrapper,
      reactStrictMode: true,
      initialProps: { n: 2 },
    });
    await waitFor(() => expect(result.current.data).toBe(4));
    expect(result.current.status).toBe('success');
    expect(kinds(rec.sent, 'call')).toHaveLength(1);
    expect(kinds(rec.sent, 'cancel')).toHaveLength(0);

    rerender({ n: 2 }); // a new object, same content
    await act(async () => {});
    expect(kinds(rec.sent, 'call')).toHaveLength(1);

    rerender({ n: 5 });
    await waitFor(() => expect(result.current.data).toBe(10));
    expect(kinds(rec.sent, 'call').map((call) => call.p)).toEqual(['double', 'double']);
  });

  it('is lazy without input; execute resolves with the output and keeps it as data', async () => {
    await connected();
    const { result } = renderHook(() => useCall('list'), { wrapper });
    await act(async () => {});
    expect(result.current.status).toBe('idle');
    expect(kinds(rec.sent, 'call')).toHaveLength(0);
    let output: string[] | undefined;
    await act(async () => {
      output = await result.current.execute();
    });
    expect(output).toEqual(['a', 'b']);
    expect(result.current.data).toEqual(['a', 'b']);
  });

  it('keeps a typed SockkitError and status error when the server refuses', async () => {
    await connected();
    const { result } = renderHook(() => useCall('missing', { id: 'x' }), { wrapper });
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.error).toBeInstanceOf(SockkitError);
    expect(result.current.error?.code).toBe('NOT_FOUND');
    expect(result.current.pending).toBe(false);
  });

  it('a newer input aborts the older call: the server sees the cancel, the late reply is dropped', async () => {
    await connected();
    const { result, rerender } = renderHook(({ tag }) => useCall('slow', { tag }), {
      wrapper,
      initialProps: { tag: 'first' },
    });
    await waitFor(() => expect(env.slow.map((call) => call.tag)).toContain('first'));
    rerender({ tag: 'second' });
    await waitFor(() => expect(env.slow.map((call) => call.tag)).toContain('second'));
    const [first, second] = env.slow.splice(0);
    await waitFor(() => expect(first?.aborted).toBe(true));
    expect(result.current.pending).toBe(true);
    second?.release('done');
    await waitFor(() => expect(result.current.data).toBe('done'));
    expect(kinds(rec.sent, 'cancel')).toHaveLength(1);
  });

  it('unmounting during a call aborts it on the server', async () => {
    await connected();
    const { unmount } = renderHook(() => useCall('slow', { tag: 'unmount' }), {
      wrapper,
      reactStrictMode: true,
    });
    await waitFor(() => expect(env.slow.map((call) => call.tag)).toContain('unmount'));
    const [call] = env.slow.splice(0);
    expect(call?.aborted).toBe(false);
    unmount();
    await waitFor(() => expect(call?.aborted).toBe(true));
    expect(kinds(rec.sent, 'call')).toHaveLength(1);
    expect(kinds(rec.sent, 'cancel')).toHaveLength(1);
  });

  it('reset aborts and clears', async () => {
    await connected();
    const { result } = renderHook(() => useCall('double', { n: 3 }), { wrapper });
    await waitFor(() => expect(result.current.data).toBe(6));
    act(() => result.current.reset());
    expect(result.current).toMatchObject({
      status: 'idle',
      data: undefined,
      error: undefined,
      pending: false,
    });
  });
});
