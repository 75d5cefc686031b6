/** The outbox kept in localStorage, so messages written offline survive closing the tab. Entries are checked when read back. */
import type { OutboxStorage, PendingSend } from '../shared/outbox.js';

const KEY = 'chat:outbox';

const isPending = (entry: unknown): entry is PendingSend => {
  const e = entry as Partial<PendingSend> | null;
  return (
    typeof e?.key === 'string' &&
    typeof e.room === 'string' &&
    typeof e.text === 'string' &&
    typeof e.at === 'number' &&
    (e.error === undefined || typeof e.error === 'string')
  );
};

export const localStorageOutbox: OutboxStorage = {
  load() {
    try {
      const stored: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
      return Array.isArray(stored) ? stored.filter(isPending) : [];
    } catch {
      return [];
    }
  },
  save(pending) {
    if (pending.length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(pending));
  },
};
