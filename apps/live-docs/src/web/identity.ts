/**
 * Who this browser is: a secret identity token, a display name asked on the first visit and a
 * colour, kept in localStorage. The token is sent only to the server, which derives the key
 * others see from it; whoever has the token is this person (a demo's identity, not accounts).
 */
import { reactive, watch } from 'vue';

const KEY = 'live-docs:identity';
const COLORS = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#9a6324',
  '#469990',
];

interface Identity {
  /** The secret sent as a connection param (48 hex digits). */
  token: string;
  name: string;
  color: string;
}

const newToken = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, '0')).join('');

function load(): Identity {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Identity> | null;
    if (stored && typeof stored.color === 'string') {
      // An identity from before tokens had only a public id, which others saw: it gets a token.
      const token =
        typeof stored.token === 'string' && /^[0-9a-f]{48}$/.test(stored.token) ? stored.token : newToken();
      return { token, name: typeof stored.name === 'string' ? stored.name : '', color: stored.color };
    }
  } catch {
    // a corrupt entry: start afresh
  }
  const color = COLORS[Math.floor(Math.random() * COLORS.length)]!;
  return { token: newToken(), name: '', color };
}

/** This browser's identity; changes are saved. */
export const identity = reactive(load());

watch(identity, () => localStorage.setItem(KEY, JSON.stringify(identity)), { deep: true, immediate: true });

/** The palette offered in the name prompt. */
export const palette = COLORS;
