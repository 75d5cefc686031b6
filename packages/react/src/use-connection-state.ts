/**
 * `useConnectionState`: the client's connection state, read through `useSyncExternalStore`
 * from the client itself (its `state` and `'state'` event), so every component sees the same
 * value in a render. A server render, or `client={null}`, shows `'closed'`.
 */
import type { ConnectionState } from '@sockkit/client';
import type { ContractDef } from '@sockkit/core';
import { useCallback, useSyncExternalStore } from 'react';
import type { ClientOrNull } from './client-types.js';
import { useResolvedClient } from './context.js';

/** What {@link useConnectionState} returns. */
export interface UseConnectionStateReturn {
  /** `'connecting' | 'open' | 'reconnecting' | 'closed'`, kept current. */
  readonly state: ConnectionState;
  /** Whether the connection is open. */
  readonly online: boolean;
}

const closed = (): ConnectionState => 'closed';

/**
 * Tracks the connection state of the provided client (or of `client`).
 *
 * @example
 * ```tsx
 * const { state, online } = useConnectionState();
 * return <span className={state}>{online ? 'live' : state}</span>;
 * ```
 */
export function useConnectionState<C extends ContractDef>(
  client?: ClientOrNull<C>,
): UseConnectionStateReturn {
  const source = useResolvedClient(client);
  const subscribe = useCallback(
    (onChange: () => void) => (source === null ? () => {} : source.on('state', () => onChange())),
    [source],
  );
  const state = useSyncExternalStore(subscribe, () => source?.state ?? 'closed', closed);
  return { state, online: state === 'open' };
}
