/** `useConnectionState`: the client's connection state as a ref, released with the scope. */
import type { ContractDef } from '@sockkit/core';
import { computed, getCurrentScope, onScopeDispose, type Ref, ref } from 'vue';
import type { ConnectionState, SockkitClientLike } from './client-shape.js';
import { useSockkitClient } from './provide.js';

/** What {@link useConnectionState} returns. */
export interface UseConnectionStateReturn {
  /** `'connecting' | 'open' | 'reconnecting' | 'closed'`, kept current. */
  readonly state: Readonly<Ref<ConnectionState>>;
  /** Whether the connection is open. */
  readonly online: Readonly<Ref<boolean>>;
}

/**
 * Tracks the connection state of the provided client (or of `client`).
 *
 * @example
 * ```ts
 * const { state, online } = useConnectionState();
 * // <span :class="state">{{ state }}</span>
 * ```
 */
export function useConnectionState<C extends ContractDef>(
  client?: SockkitClientLike<C>,
): UseConnectionStateReturn {
  const source = client ?? useSockkitClient<C>();
  const state = ref<ConnectionState>(source.state);
  const off = source.on('state', (next) => {
    state.value = next;
  });
  if (getCurrentScope()) onScopeDispose(off);
  return { state, online: computed(() => state.value === 'open') };
}
