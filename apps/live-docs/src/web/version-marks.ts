/**
 * What one history entry changed, as marked text: the text at its version in pieces that
 * are unchanged, inserted by the entry, or deleted by it (taken from the inverse change set
 * the server sends, which maps that text back to the one before the entry).
 */
import { ChangeSet } from '@codemirror/state';

/** One piece of the marked text. */
export interface Mark {
  kind: 'same' | 'ins' | 'del';
  text: string;
}

/** The pieces of `text`, marking what `inverse` (JSON, or null for none) says changed. */
export function marksOf(text: string, inverse: unknown): Mark[] {
  if (inverse === null || inverse === undefined) return [{ kind: 'same', text }];
  const marks: Mark[] = [];
  let at = 0;
  ChangeSet.fromJSON(inverse).iterChanges((fromA, toA, _fromB, _toB, deleted) => {
    if (fromA > at) marks.push({ kind: 'same', text: text.slice(at, fromA) });
    if (deleted.length > 0) marks.push({ kind: 'del', text: deleted.toString() });
    if (toA > fromA) marks.push({ kind: 'ins', text: text.slice(fromA, toA) });
    at = toA;
  });
  if (at < text.length) marks.push({ kind: 'same', text: text.slice(at) });
  return marks;
}
