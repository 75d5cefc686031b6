/**
 * Making one client available to a component tree: `<SockkitProvider client={client}>`, then
 * `useSockkitClient()` (or any hook) below it. `client={null}` is for server rendering: no
 * socket is opened and every hook shows the disconnected state.
 */
import type { SockkitClient } from '@sockkit/client';
import type { ContractDef } from '@sockkit/core';
import { createContext, createElement, type ReactNode, useContext } from 'react';
import type { AnySockkitClient, ClientOrNull } from './client-types.js';

/** No provider above: hooks fail with a message naming the fix. */
const MISSING = Symbol('no sockkit provider');

/** The context the client is provided under (internal: use `SockkitProvider`). */
export const SockkitContext = createContext<AnySockkitClient | null | typeof MISSING>(MISSING);
SockkitContext.displayName = 'SockkitContext';

/** Props of {@link SockkitProvider}. */
export interface SockkitProviderProps<C extends ContractDef = ContractDef> {
  /** The client for the tree below; `null` during a server render (no socket there). */
  client: ClientOrNull<C>;
  /** The tree that uses it. */
  children?: ReactNode;
}

/**
 * Provides `client` to the components below.
 *
 * @example
 * ```tsx
 * <SockkitProvider client={client}><App /></SockkitProvider>
 * ```
 */
export function SockkitProvider<C extends ContractDef>({
  client,
  children,
}: SockkitProviderProps<C>): ReactNode {
  return createElement(SockkitContext, { value: client as unknown as AnySockkitClient | null }, children);
}

/**
 * The client the hooks use: `explicit` when given (including `null`), else the provided one.
 * Throws, naming the fix, when there is neither.
 */
export function useResolvedClient<C>(explicit: ClientOrNull<C> | undefined): ClientOrNull<C> {
  const provided = useContext(SockkitContext);
  if (explicit !== undefined) return explicit;
  if (provided === MISSING) {
    throw new Error('@sockkit/react: no client; wrap the tree in <SockkitProvider client={client}>');
  }
  return provided as unknown as ClientOrNull<C>;
}

/**
 * The provided client, typed from `C`. Throws when none was provided, or when it is `null`
 * (a server render: use the hooks there, which render the disconnected state).
 */
export function useSockkitClient<C extends ContractDef>(): SockkitClient<C> {
  const client = useResolvedClient<C>(undefined);
  if (client === null) {
    throw new Error('@sockkit/react: the provided client is null (server render); there is no client here');
  }
  return client;
}
