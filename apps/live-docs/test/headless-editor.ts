/**
 * What the two test editors share: an EditorState driven by CollabSync, local edits at a
 * relative position, and the text.
 */
import type { EditorState, Transaction } from '@codemirror/state';
import type { CollabSync, StateHost } from '../src/shared/sync-engine.js';

/** An editor without a view, for tests. */
export abstract class HeadlessEditor implements StateHost {
  abstract state: EditorState;
  abstract readonly sync: CollabSync;

  dispatch(transaction: Transaction): void {
    this.state = transaction.state;
  }

  /** A local edit at relative position `at` (0..1). */
  edit(at: number, deleteCount: number, insert: string): void {
    const length = this.state.doc.length;
    const from = Math.min(length, Math.floor(at * (length + 1)));
    const to = Math.min(length, from + deleteCount);
    if (from === to && insert === '') return;
    this.dispatch(this.state.update({ changes: { from, to, insert } }));
    this.sync.changed();
  }

  get text(): string {
    return this.state.doc.toString();
  }
}
