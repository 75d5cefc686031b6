/**
 * useStream against a real server: one stream under StrictMode, chunks and the final value, a
 * new input cancelling the stream before, unmount cancelling (the server's generator ends), an
 * error mid-stream, and a lazy start; a client without the streams part is named as the cause.
 */
import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createSockkitReact } from '../src/index.js';
import type { Contract } from './contract.js';
import { kinds, recordingClient } from './harness.js';
import { serverSuite } from './suite.js';

const { useStream } = createSockkitReact<Contract>();

const t = serverSuite();
const { wrapper } = t;

describe('useStream', () => {
  it('opens one stream under StrictMode and keeps its chunks and final value', async () => {
    await t.connected();
    const { result } = renderHook(() => useStream('tokens', { n: 5 }), { wrapper, reactStrictMode: true });
    await waitFor(() => expect(result.current.done).toBe(true));
    expect(result.current.chunks).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(result.current.result).toEqual({ count: 5 });
    expect(result.current.streaming).toBe(false);
    expect(result.current.error).toBeUndefined();
    expect(kinds(t.rec.sent, 'stream')).toHaveLength(1);
    expect(kinds(t.rec.sent, 'cancel')).toHaveLength(0);
  });

  it('cancels the stream when the input changes and when the component unmounts', async () => {
    await t.connected();
    const { result, rerender, unmount } = renderHook(({ tag }) => useStream('hold', { tag }), {
      wrapper,
      initialProps: { tag: 'a' },
    });
    await waitFor(() => expect(result.current.chunks).toEqual(['a:first']));
    rerender({ tag: 'a' }); // same content: no new stream
    await act(async () => {});
    expect(kinds(t.rec.sent, 'stream')).toHaveLength(1);

    rerender({ tag: 'b' });
    await waitFor(() => expect(result.current.chunks).toEqual(['b:first']));
    await waitFor(() => expect(t.env.ended).toContain('a'));
    expect(kinds(t.rec.sent, 'stream').map((m) => (m.d as { tag: string }).tag)).toEqual(['a', 'b']);

    unmount();
    await waitFor(() => expect(t.env.ended).toContain('b'));
    expect(kinds(t.rec.sent, 'cancel')).toHaveLength(2);
  });

  it('reports an error mid-stream as a typed SockkitError, keeping the chunks before it', async () => {
    await t.connected();
    const { result } = renderHook(() => useStream('tokens', { n: 5, failAt: 2 }), { wrapper });
    await waitFor(() => expect(result.current.error?.code).toBe('CONFLICT'));
    expect(result.current.chunks).toEqual(['t0', 't1']);
    expect(result.current.done).toBe(false);
    expect(result.current.streaming).toBe(false);
  });

  it('is lazy without input; start opens it and cancel stops it without an error', async () => {
    await t.connected();
    const { result, unmount } = renderHook(() => useStream('hold'), { wrapper });
    await act(async () => {});
    expect(kinds(t.rec.sent, 'stream')).toHaveLength(0);
    act(() => result.current.start({ tag: 'lazy' }));
    await waitFor(() => expect(result.current.chunks).toEqual(['lazy:first']));
    act(() => result.current.cancel());
    await waitFor(() => expect(t.env.ended).toContain('lazy'));
    expect(result.current.streaming).toBe(false);
    expect(result.current.error).toBeUndefined();

    // A stream started by hand is cancelled on unmount too.
    act(() => result.current.start({ tag: 'lazy2' }));
    await waitFor(() => expect(result.current.chunks).toEqual(['lazy2:first']));
    unmount();
    await waitFor(() => expect(t.env.ended).toContain('lazy2'));
  });

  it('says how to fix a client created without the streams part', async () => {
    await t.connected();
    const { client } = recordingClient(t.env.url, 'type-only', false);
    const { result } = renderHook(() => useStream('hold', undefined, { client }), { wrapper });
    expect(() => result.current.start({ tag: 'x' })).toThrow(
      "useStream needs a client created with the streams option of '@sockkit/client'",
    );
    await client.close();
  });
});
