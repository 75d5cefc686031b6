/**
 * Who this browser is: a secret token and the name asked on the first visit, kept in
 * localStorage. The token goes only to the server, which derives the key others see from it;
 * whoever has the token is this person (a demo's identity, as in live-docs, not accounts).
 */
const KEY = 'chat:identity';

export interface Identity {
  /** The secret sent as a connection param (48 hex digits). */
  token: string;
  /** '' until the person chose one. */
  name: string;
}

const newToken = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, '0')).join('');

/** The stored identity, or a new one with no name yet. */
export function loadIdentity(): Identity {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Identity> | null;
    if (stored && typeof stored.token === 'string' && /^[0-9a-f]{48}$/.test(stored.token)) {
      return { token: stored.token, name: typeof stored.name === 'string' ? stored.name : '' };
    }
  } catch {
    // a corrupt entry: start afresh
  }
  return { token: newToken(), name: '' };
}

export function saveIdentity(identity: Identity): void {
  localStorage.setItem(KEY, JSON.stringify(identity));
}
