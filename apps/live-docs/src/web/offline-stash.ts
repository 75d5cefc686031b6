/**
 * Unconfirmed edits kept in localStorage, so that closing the tab while offline loses
 * nothing: the next page that opens the document replays them (see `replayPending`).
 * One entry per document and editor session; what is read back is validated, and entries
 * that do not parse are dropped. This check is why the page ships zod although its sockkit
 * client works from the contract's type alone: storage outlives the page's version and any
 * script on the origin can write it, so it is validated with the contract's update schema.
 */
import { type PendingEdits, pendingEditsSchema } from '../shared/pending-edits.js';

const PREFIX = 'live-docs:pending:';
const keyOf = (docId: string, clientID: string) => `${PREFIX}${docId}:${clientID}`;

/** Where the edits of one editor session are kept. */
export interface StashEntry {
  key: string;
  edits: PendingEdits;
}

/** Keeps `edits` of document `docId`; false when the browser refused (storage full or disabled). */
export function saveStash(docId: string, edits: PendingEdits): boolean {
  try {
    localStorage.setItem(keyOf(docId, edits.clientID), JSON.stringify(edits));
    return true;
  } catch {
    return false;
  }
}

/** Forgets the edits of one editor session. */
export function dropStash(docId: string, clientID: string): void {
  removeKey(keyOf(docId, clientID));
}

/** Forgets one entry returned by {@link stashesOf}. */
export function removeKey(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Storage disabled: there was nothing to remove.
  }
}

/** Every kept session of document `docId`; entries that do not parse (another version's) are dropped. */
export function stashesOf(docId: string): StashEntry[] {
  const prefix = `${PREFIX}${docId}:`;
  try {
    const keys: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(prefix)) keys.push(key);
    }
    const entries: StashEntry[] = [];
    for (const key of keys) {
      const edits = parse(localStorage.getItem(key));
      if (edits) entries.push({ key, edits });
      else localStorage.removeItem(key);
    }
    return entries;
  } catch {
    return []; // storage disabled
  }
}

function parse(raw: string | null): PendingEdits | undefined {
  if (raw === null) return undefined;
  try {
    const result = pendingEditsSchema.safeParse(JSON.parse(raw));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
