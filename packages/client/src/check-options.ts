/**
 * Options that would fail silently later, refused at `createSockkitClient` with a TypeError
 * instead: a `params` provider that is not a function (every connect would fail with
 * "params provider failed" and retry forever), URLs a WebSocket cannot open (every attempt
 * would fail and retry forever), client handlers that are not functions, and a `streams`
 * option that is not the streams part (e.g. `streams: true`).
 */
import type { ClientOptions } from './options.js';

/** The last URL found good: apps (and load tests) open many clients to the same one. */
let goodUrl: string | undefined;

/** Throws a TypeError naming the first option that cannot work. */
export function checkOptions(options: ClientOptions<unknown>, urls: readonly string[]): void {
  let bad = urls.length === 0 ? 'url is empty' : '';
  for (const url of urls) {
    if (url === goodUrl) continue;
    try {
      if (!/^(ws|http)s?:$/.test(new URL(url, globalThis.location?.href).protocol)) throw 0;
      goodUrl = url;
    } catch {
      bad = `url ${url} is not a ws:// or wss:// URL`;
    }
  }
  if (options.params !== undefined && typeof options.params !== 'function')
    bad = 'params must be a function, e.g. params: () => ({ token })';
  for (const [name, handler] of Object.entries(options.handlers ?? {}))
    if (typeof handler !== 'function') bad = `handler ${name} is not a function`;
  if (options.streams !== undefined && typeof options.streams !== 'function')
    bad = "streams must be the streams export of '@sockkit/client'";
  if (bad) throw new TypeError(`sockkit: ${bad}`);
}
