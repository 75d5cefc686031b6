/**
 * Who this browser is: an anonymous id (groups a person's tabs), a display name asked on
 * the first visit and a colour, kept in localStorage.
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
  user: string;
  name: string;
  color: string;
}

function load(): Identity {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Identity> | null;
    if (stored && typeof stored.user === 'string' && typeof stored.color === 'string') {
      return {
        user: stored.user,
        name: typeof stored.name === 'string' ? stored.name : '',
        color: stored.color,
      };
    }
  } catch {
    // a corrupt entry: start afresh
  }
  const color = COLORS[Math.floor(Math.random() * COLORS.length)]!;
  return { user: crypto.randomUUID(), name: '', color };
}

/** This browser's identity; changes are saved. */
export const identity = reactive(load());

watch(identity, () => localStorage.setItem(KEY, JSON.stringify(identity)), { deep: true, immediate: true });

/** The palette offered in the name prompt. */
export const palette = COLORS;
