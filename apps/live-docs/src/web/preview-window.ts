/**
 * Which part of a document the preview renders. Small documents render whole; above
 * {@link LARGE_DOC} characters the preview renders a window of about
 * {@link WINDOW_CHARS} around what the editor shows, cut at blank lines, so the work per
 * refresh stays bounded however long the document grows.
 */
import type { Text } from '@codemirror/state';

/** Documents longer than this get a windowed preview. */
export const LARGE_DOC = 150_000;
/** About how many characters a windowed preview renders. */
export const WINDOW_CHARS = 20_000;

/** The source to render and, when windowed, which lines it covers. */
export interface PreviewSource {
  text: string;
  window?: { fromLine: number; toLine: number; totalLines: number };
}

/** Picks the preview source for `doc` with the editor showing `[from, to)`. */
export function previewSource(doc: Text, from: number, to: number): PreviewSource {
  if (doc.length <= LARGE_DOC) return { text: doc.toString() };
  const middle = Math.floor((from + to) / 2);
  const start = Math.max(0, middle - WINDOW_CHARS / 2);
  const end = Math.min(doc.length, start + WINDOW_CHARS);
  const first = paragraphStart(doc, doc.lineAt(start).number);
  const last = paragraphEnd(doc, doc.lineAt(end).number);
  return {
    text: doc.sliceString(doc.line(first).from, doc.line(last).to),
    window: { fromLine: first, toLine: last, totalLines: doc.lines },
  };
}

/** The line after the nearest blank line at or before `line` (bounded search). */
function paragraphStart(doc: Text, line: number): number {
  for (let n = line; n > 1 && n > line - 200; n--) {
    if (doc.line(n).length === 0) return Math.min(n + 1, line);
  }
  return line;
}

/** The nearest blank line at or after `line` (bounded search). */
function paragraphEnd(doc: Text, line: number): number {
  for (let n = line; n < doc.lines && n < line + 200; n++) {
    if (doc.line(n).length === 0) return n;
  }
  return line;
}
