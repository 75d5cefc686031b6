/**
 * Exporting a document as files, made in the browser: the Markdown text as it is, and HTML
 * from the same markdown-it + DOMPurify pipeline as the preview (scripts, handlers,
 * `javascript:` URLs, styles and forms removed), wrapped in a page whose own
 * Content-Security-Policy lets nothing run or load from elsewhere. Remote images become links,
 * so opening the file fetches nothing unless the reader follows one.
 *
 * Why in the browser: the page already holds the text and the sanitizer, which needs a DOM;
 * a server endpoint would need a second DOM implementation on the server to sanitize the same
 * way, and a second access check, for no gain. Viewers may export: they can read the text.
 */
import { renderMarkdown } from '@sockkit/app-markdown';

/** The policy written into an exported page. */
export const EXPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;line-height:1.55;overflow-wrap:anywhere}' +
  'pre{background:#eef0f4;padding:8px;overflow:auto}img{max-width:100%}';

/** A file name for `title` with `extension`: letters, digits and dashes. */
export function fileName(title: string, extension: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'document'}.${extension}`;
}

/** A complete, sanitized HTML page of `text`. */
export function htmlPage(title: string, text: string): string {
  const page = document.implementation.createHTMLDocument(title);
  const charset = page.createElement('meta');
  charset.setAttribute('charset', 'utf-8');
  const policy = page.createElement('meta');
  policy.httpEquiv = 'Content-Security-Policy';
  policy.content = EXPORT_CSP;
  const style = page.createElement('style');
  style.textContent = STYLE;
  page.head.prepend(charset, policy);
  page.head.append(style);
  // Sanitized by DOMPurify; an inert document runs nothing it is given anyway.
  page.body.innerHTML = renderMarkdown(text, { remoteImages: 'link' });
  return `<!doctype html>\n${page.documentElement.outerHTML}\n`;
}

/** Offers `content` as a download named `name`. */
export function download(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads the document as Markdown. */
export function exportMarkdown(title: string, text: string): void {
  download(fileName(title, 'md'), text, 'text/markdown;charset=utf-8');
}

/** Downloads the document as a sanitized HTML page. */
export function exportHtml(title: string, text: string): void {
  download(fileName(title, 'html'), htmlPage(title, text), 'text/html;charset=utf-8');
}
