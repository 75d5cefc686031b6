/** A two-route router: `/` is the document list, `/d/<id>` a document. */
import { readonly, ref } from 'vue';

export type Route = { name: 'list' } | { name: 'doc'; id: string };

function parse(pathname: string): Route {
  const match = /^\/d\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  return match ? { name: 'doc', id: match[1]! } : { name: 'list' };
}

const current = ref<Route>(parse(location.pathname));
window.addEventListener('popstate', () => {
  current.value = parse(location.pathname);
});

/** The current route. */
export const route = readonly(current);

/** Goes to `path` without reloading. */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  current.value = parse(location.pathname);
}

/** The shareable URL of a document. */
export const docUrl = (id: string) => `${location.origin}/d/${id}`;
