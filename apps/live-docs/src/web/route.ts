/**
 * A two-route router: `/` is the document list, `/d/<id>` a document. A share link is
 * `/d/<id>#join=<token>`: the token stays in the fragment, so it never reaches the server in
 * a request line, a log or a Referer; the page sends it once with `joinDoc`.
 */
import { readonly, ref } from 'vue';

export type Route = { name: 'list' } | { name: 'doc'; id: string; join?: string };

function parse(pathname: string, hash: string): Route {
  const match = /^\/d\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  if (!match) return { name: 'list' };
  const join = /^#join=([A-Za-z0-9_-]{20,100})$/.exec(hash)?.[1];
  return join ? { name: 'doc', id: match[1]!, join } : { name: 'doc', id: match[1]! };
}

const current = ref<Route>(parse(location.pathname, location.hash));
const reparse = () => {
  current.value = parse(location.pathname, location.hash);
};
window.addEventListener('popstate', reparse);
window.addEventListener('hashchange', reparse);

/** The current route. */
export const route = readonly(current);

/** Goes to `path` without reloading. */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  reparse();
}

/** Drops a share link's token from the address bar once it was used (the route stays). */
export function forgetJoinToken(): void {
  if (location.hash) history.replaceState(null, '', location.pathname);
}

/** The URL of a document (it opens for people who already have a role in it). */
export const docUrl = (id: string) => `${location.origin}/d/${id}`;

/** A share link: opening it gives the link's role. */
export const shareUrl = (id: string, token: string) => `${docUrl(id)}#join=${token}`;
