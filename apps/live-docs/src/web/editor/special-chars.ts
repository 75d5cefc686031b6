/**
 * Characters that are invisible or misleading as text (control characters, zero-width and
 * bidi marks, U+FEFF, U+2028/2029, …) drawn as a visible placeholder, like
 * `highlightSpecialChars` from @codemirror/view, which this replaces.
 *
 * Why not that one: its `MatchDecorator` (up to @codemirror/view 6.43.15, the newest release)
 * returns its decorations unmapped when every change of an update lies outside the viewport
 * and the viewport only moved with the text. Someone typing far above this editor's viewport
 * then leaves each placeholder where its character used to be: it covers the wrong
 * character, or a line break (CodeMirror throws "Decorations that replace line breaks may not
 * be specified via plugins"), and the editor reads the next keystrokes against a DOM that no
 * longer matches the document, inserting them in the wrong place. Here the decorations always
 * follow the document.
 */
import type { Extension } from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
  type EditorView,
  MatchDecorator,
  ViewPlugin,
  type ViewUpdate,
  WidgetType,
} from '@codemirror/view';

/**
 * What @codemirror/view 6.43 decorates (its `Specials`), tabs aside: every browser this app
 * supports draws a tab at the tab size.
 */
const SPECIALS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b\u200e\u200f\u2028\u2029\u202d\u202e\u2066\u2067\u2069\ufeff\ufff9-\ufffc]/gu;

const NAMES: Record<number, string> = {
  0: 'null',
  7: 'bell',
  8: 'backspace',
  11: 'vertical tab',
  27: 'escape',
  8203: 'zero width space',
  8206: 'left-to-right mark',
  8207: 'right-to-left mark',
  8232: 'line separator',
  8233: 'paragraph separator',
  8237: 'left-to-right override',
  8238: 'right-to-left override',
  8294: 'left-to-right isolate',
  8295: 'right-to-left isolate',
  8297: 'pop directional isolate',
  65279: 'zero width no-break space',
  65532: 'object replacement',
};

/** The placeholder of one character: a Control Pictures glyph for C0 controls, else a bullet. */
class SpecialCharWidget extends WidgetType {
  constructor(readonly code: number) {
    super();
  }

  override eq(other: SpecialCharWidget): boolean {
    return other.code === this.code;
  }

  toDOM(view: EditorView): HTMLElement {
    const span = document.createElement('span');
    span.className = 'cm-specialChar';
    span.textContent = this.code < 32 ? String.fromCharCode(0x2400 + this.code) : '\u2022';
    const name = NAMES[this.code] ?? `0x${this.code.toString(16)}`;
    span.title = `${view.state.phrase('Control character')} ${name}`;
    span.setAttribute('aria-label', span.title);
    return span;
  }

  override ignoreEvent(): boolean {
    return false;
  }
}

/** A `MatchDecorator` whose decorations follow changes made outside the viewport too. */
class MappingMatchDecorator extends MatchDecorator {
  override updateDeco(update: ViewUpdate, deco: DecorationSet): DecorationSet {
    const next = super.updateDeco(update, deco);
    // The unmapped set comes back only when no change touched the viewport: map it here.
    // (When the set was mapped, a second map through the same changes is never reached:
    // `map` returns a new set unless it had nothing to do.)
    return next === deco && update.docChanged ? deco.map(update.changes) : next;
  }
}

const widgets = new Map<number, Decoration>();
const decorationOf = (code: number): Decoration => {
  let decoration = widgets.get(code);
  if (!decoration) {
    decoration = Decoration.replace({ widget: new SpecialCharWidget(code) });
    widgets.set(code, decoration);
  }
  return decoration;
};

const decorator = new MappingMatchDecorator({
  regexp: SPECIALS,
  decoration: (match) => decorationOf(match[0].codePointAt(0)!),
  // Every character is a match of its own: a change never needs more than its lines rescanned.
  boundary: /[\s\S]/,
});

const plugin = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = decorator.createDeco(view);
    }
    update(update: ViewUpdate): void {
      this.decorations = decorator.updateDeco(update, this.decorations);
    }
  },
  { decorations: (value) => value.decorations },
);

/** Draws special characters as placeholders; use instead of `highlightSpecialChars()`. */
export function specialChars(): Extension {
  return plugin;
}
