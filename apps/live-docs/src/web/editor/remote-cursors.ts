/**
 * Other people's cursors and selections in the editor: a state field of positions, mapped
 * through every change (local or remote) so they stay where their owners are, drawn as a
 * coloured caret with the owner's name and a tinted selection.
 */
import { type EditorState, type Extension, StateEffect, StateField } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView, WidgetType } from '@codemirror/view';

/** One remote cursor. */
export interface RemoteCursor {
  clientID: string;
  name: string;
  color: string;
  anchor: number;
  head: number;
}

/** Sets (or moves) one remote cursor. */
export const setRemoteCursor = StateEffect.define<RemoteCursor>();
/** Keeps only the cursors of these client ids (the others left). */
export const keepRemoteCursors = StateEffect.define<ReadonlySet<string>>();

class CaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly color: string,
  ) {
    super();
  }

  override eq(other: CaretWidget): boolean {
    return other.name === this.name && other.color === this.color;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = 'cm-remote-caret';
    caret.style.borderColor = this.color;
    const label = document.createElement('span');
    label.className = 'cm-remote-label';
    label.style.backgroundColor = this.color;
    label.textContent = this.name; // text, never HTML
    caret.append(label);
    return caret;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

const clamp = (pos: number, state: EditorState) => Math.max(0, Math.min(pos, state.doc.length));

const cursorsField = StateField.define<ReadonlyMap<string, RemoteCursor>>({
  create: () => new Map(),
  update(cursors, transaction) {
    let next = cursors;
    if (transaction.docChanged) {
      next = new Map(
        [...cursors].map(([id, c]) => [
          id,
          { ...c, anchor: transaction.changes.mapPos(c.anchor), head: transaction.changes.mapPos(c.head) },
        ]),
      );
    }
    for (const effect of transaction.effects) {
      if (effect.is(setRemoteCursor)) {
        const c = effect.value;
        const copy = new Map(next);
        copy.set(c.clientID, {
          ...c,
          anchor: clamp(c.anchor, transaction.state),
          head: clamp(c.head, transaction.state),
        });
        next = copy;
      } else if (effect.is(keepRemoteCursors)) {
        next = new Map([...next].filter(([id]) => effect.value.has(id)));
      }
    }
    return next;
  },
  provide: (field) =>
    EditorView.decorations.from(field, (cursors): DecorationSet => {
      const ranges = [];
      for (const c of cursors.values()) {
        const from = Math.min(c.anchor, c.head);
        const to = Math.max(c.anchor, c.head);
        if (from < to) {
          ranges.push(
            Decoration.mark({ attributes: { style: `background-color: ${c.color}33` } }).range(from, to),
          );
        }
        ranges.push(Decoration.widget({ widget: new CaretWidget(c.name, c.color), side: 1 }).range(c.head));
      }
      return Decoration.set(ranges, true);
    }),
});

/** The remote-cursors extension. */
export function remoteCursors(): Extension {
  return [
    cursorsField,
    EditorView.baseTheme({
      '.cm-content': { paddingTop: '16px' },
      '.cm-remote-caret': {
        position: 'relative',
        borderLeft: '2px solid',
        marginLeft: '-1px',
        marginRight: '-1px',
      },
      '.cm-remote-label': {
        position: 'absolute',
        top: '-1.3em',
        left: '-2px',
        fontSize: '10px',
        lineHeight: '1.2em',
        padding: '0 3px',
        color: 'white',
        whiteSpace: 'nowrap',
        borderRadius: '3px 3px 3px 0',
        pointerEvents: 'none',
        zIndex: '10',
      },
    }),
  ];
}

/** The remote cursors currently shown (tests and the presence list). */
export function remoteCursorsOf(state: EditorState): ReadonlyMap<string, RemoteCursor> {
  return state.field(cursorsField, false) ?? new Map();
}
