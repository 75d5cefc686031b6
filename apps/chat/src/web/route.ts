/** The open room is the address: `/r/<room>` (a link to a room opens it), `/` for general. */
import { useSyncExternalStore } from 'react';

const roomOf = (path: string) => /^\/r\/([a-z0-9-]{1,40})\/?$/.exec(path)?.[1] ?? 'general';

const subscribe = (listener: () => void) => {
  window.addEventListener('popstate', listener);
  return () => window.removeEventListener('popstate', listener);
};

/** The room the address names. */
export function useRoute(): string {
  return useSyncExternalStore(subscribe, () => roomOf(window.location.pathname));
}

/** Opens `room` (a new history entry). */
export function openRoom(room: string): void {
  if (roomOf(window.location.pathname) === room) return;
  window.history.pushState(null, '', `/r/${room}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The link that opens `room`. */
export const roomLink = (room: string) => new URL(`/r/${room}`, window.location.href).href;
