/**
 * The load process's side of the control channel (see server-control.mjs).
 */

/**
 * GETs a control path and returns the parsed JSON.
 * @param {string} base
 * @param {string} path
 * @returns {Promise<Record<string, number>>}
 */
export async function control(base, path) {
  const res = await fetch(`${base}${path}`);
  const body = await res.json();
  if (!res.ok) throw new Error(`control ${path}: ${body.error ?? res.status}`);
  return body;
}
