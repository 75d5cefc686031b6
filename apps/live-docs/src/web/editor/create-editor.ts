/**
 * Builds the CodeMirror 6 markdown editor for one document: the collab extension starting
 * at the opened version, remote cursors, a guard that refuses pastes above the server's
 * limits before they enter the document, and hooks for local edits and selection moves.
 * A viewer's editor is read-only (typing, pasting and dropping do nothing; the caret and the
 * selection still move and are shown to others); the server refuses their pushes anyway.
 */
import { collab } from '@codemirror/collab';
import { markdown } from '@codemirror/lang-markdown';
import { Compartment, EditorState, Transaction } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { DEFAULT_DOC_LIMITS, type DocLimits } from '../../shared/limits.js';
import { remoteCursors } from './remote-cursors.js';
import { basicSetup } from './setup.js';

/** What the editor reports to its owner. */
export interface EditorHooks {
  /** The user changed the document (not a remote update). */
  onLocalChange(): void;
  /**
   * Applying a local change threw: the view may no longer show its state. (What remote
   * updates throw reaches the sync engine that dispatched them.)
   */
  onBroken(error: unknown): void;
  /** The document changed, for any reason. */
  onDocChange(view: EditorView): void;
  /** The visible part of the document changed (scrolling). */
  onViewport(view: EditorView): void;
  /** The user's selection moved or the document changed under it. */
  onSelection(view: EditorView): void;
  /** A change was refused before it entered the document. */
  onRefused(reason: string): void;
}

/** Options of {@link createEditor}. */
export interface EditorOptions {
  parent: HTMLElement;
  text: string;
  version: number;
  clientID: string;
  hooks: EditorHooks;
  limits?: DocLimits;
  /** Whether the person may only read. */
  readOnly?: boolean;
}

const access = new Compartment();

/** Makes `view` read-only or editable (the person's role changed). */
export function setReadOnly(view: EditorView, readOnly: boolean): void {
  view.dispatch({ effects: access.reconfigure(EditorState.readOnly.of(readOnly)) });
}

/** Creates the editor view. */
export function createEditor(options: EditorOptions): EditorView {
  const limits = options.limits ?? DEFAULT_DOC_LIMITS;
  const { hooks } = options;
  // Remote updates are dispatched with `filter: false`, so this only ever sees local changes.
  const sizeGuard = EditorState.transactionFilter.of((transaction) => {
    if (!transaction.docChanged) return transaction;
    let inserted = 0;
    transaction.changes.iterChanges((_a, _b, _c, _d, text) => {
      inserted += text.length;
    });
    if (inserted > limits.maxInsertChars) {
      hooks.onRefused(
        `That change inserts ${inserted.toLocaleString()} characters; the limit is ${limits.maxInsertChars.toLocaleString()}.`,
      );
      return [];
    }
    const grows = transaction.newDoc.length > transaction.startState.doc.length;
    if (grows && transaction.newDoc.length > limits.maxDocChars) {
      hooks.onRefused(`A document may hold at most ${limits.maxDocChars.toLocaleString()} characters.`);
      return [];
    }
    return transaction;
  });
  return new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        basicSetup,
        markdown(),
        EditorView.lineWrapping,
        collab({ startVersion: options.version, clientID: options.clientID }),
        remoteCursors(),
        sizeGuard,
        access.of(EditorState.readOnly.of(options.readOnly ?? false)),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) hooks.onDocChange(update.view);
          else if (update.viewportChanged) hooks.onViewport(update.view);
          if (update.selectionSet || update.docChanged) hooks.onSelection(update.view);
        }),
      ],
    }),
    // Every transaction passes here, so a local edit is always reported, even when drawing it
    // throws (an update listener would not run then).
    dispatchTransactions(transactions, view) {
      if (transactions.some((t) => t.annotation(Transaction.remote))) return view.update(transactions);
      try {
        view.update(transactions);
      } catch (error) {
        hooks.onBroken(error);
        return;
      }
      if (transactions.some((t) => t.docChanged)) hooks.onLocalChange();
    },
  });
}
