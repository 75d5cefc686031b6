/**
 * Code blocks as they stand in Markdown: fenced with backticks or tildes, possibly indented
 * (inside a list item), with the line each one's first content line has in its file.
 */

/** One fenced code block. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  readonly markdown: string;
  /** The fence's language (`ts`, `vue`, `sh`…), lower case; empty when it has none. */
  readonly lang: string;
  /** 1-based line of the block's first content line in the Markdown file. */
  readonly line: number;
  /** The content, with the fence's indentation removed, without a trailing newline. */
  readonly text: string;
}

const OPEN = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;

/** Every fenced code block of `source`, in order. An unclosed fence runs to the end, as in CommonMark. */
export function codeBlocks(markdown: string, source: string): CodeBlock[] {
  const lines = source.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? '```';
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j] ?? ''); j++) body.push(unindent(lines[j] ?? '', indent));
    blocks.push({ markdown, lang: (open[3] ?? '').toLowerCase(), line: i + 2, text: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** Removes up to `indent` leading spaces, as CommonMark does for an indented fence's content. */
function unindent(line: string, indent: number): string {
  let cut = 0;
  while (cut < indent && line[cut] === ' ') cut++;
  return line.slice(cut);
}

/** The file a block says it is, from its first line: `// path.ts` or `<!-- path.vue -->`. */
export function blockFileName(block: CodeBlock): string | undefined {
  const first = block.text.split('\n', 1)[0] ?? '';
  const named = /^\/\/ ([\w./-]+\.[a-z]+)$/.exec(first) ?? /^<!-- ([\w./-]+\.[a-z]+) -->$/.exec(first);
  return named?.[1];
}
