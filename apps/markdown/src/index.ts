/**
 * Markdown to safe HTML, shared by the apps' browser code (live-docs' preview and export,
 * chat's messages): markdown-it renders (raw HTML allowed unless `html: false`, as people
 * paste it into documents), then DOMPurify removes scripts, event handlers and `javascript:` URLs before anything reaches
 * the DOM. Links open in a new tab without an opener.
 *
 * A document must not reach beyond its pane or make every viewer's browser call out:
 * `style` attributes are dropped (a fixed, full-window element could pose as the app), and
 * images from other origins are not fetched until the viewer asks, one by one. Each becomes
 * a button naming the host; `loadImages` holds the URLs this viewer chose to load.
 */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

const withHtml = new MarkdownIt({ html: true, linkify: true, typographer: false });
const textOnly = new MarkdownIt({ html: false, linkify: true, typographer: false });

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** Options of {@link renderMarkdown}. */
export interface RenderOptions {
  /** Absolute URLs of remote images the viewer chose to load. */
  loadImages?: ReadonlySet<string>;
  /**
   * What a remote image that was not chosen becomes: a button that loads it (the preview), or
   * a plain link to it (an exported file, which has no script to load it with).
   */
  remoteImages?: 'button' | 'link';
  /**
   * Whether raw HTML in the source is rendered (then sanitised) or shown as text. Default
   * `true` (documents); a chat message is text with markdown, so chat passes `false`.
   */
  html?: boolean;
}

/** The absolute URL of `src` when it is fetched from another origin, else undefined. */
export function remoteUrl(src: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(src, window.location.href);
  } catch {
    return undefined;
  }
  const fetched = url.protocol === 'http:' || url.protocol === 'https:';
  return fetched && url.origin !== window.location.origin ? url : undefined;
}

/** Renders `source` to sanitized HTML. */
export function renderMarkdown(source: string, options: RenderOptions = {}): string {
  const fragment = DOMPurify.sanitize((options.html === false ? textOnly : withHtml).render(source), {
    USE_PROFILES: { html: true },
    FORBID_TAGS: [
      'style',
      'form',
      'input',
      'button',
      'textarea',
      'select',
      // Media fetch on their own (src, poster, source srcset); documents get images only.
      'video',
      'audio',
      'source',
      'track',
      'picture',
    ],
    // `background` fetches an image too (table, td); `srcset` would bypass the check below.
    FORBID_ATTR: ['style', 'background', 'srcset'],
    RETURN_DOM_FRAGMENT: true,
  });
  for (const img of fragment.querySelectorAll('img')) {
    const url = remoteUrl(img.getAttribute('src') ?? '');
    if (!url || options.loadImages?.has(url.href)) continue;
    const alt = img.getAttribute('alt');
    if (options.remoteImages === 'link') {
      const link = document.createElement('a');
      link.href = url.href;
      link.className = 'remote-image';
      link.rel = 'noopener noreferrer';
      link.textContent = `Image from ${url.host}${alt ? `: ${alt}` : ''}`;
      img.replaceWith(link);
      continue;
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'remote-image';
    button.dataset.src = url.href;
    button.textContent = `Load image from ${url.host}${alt ? `: ${alt}` : ''}`;
    img.replaceWith(button);
  }
  const holder = document.createElement('div');
  holder.append(fragment);
  return holder.innerHTML;
}
