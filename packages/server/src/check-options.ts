/**
 * Server options that would fail silently later, refused at `createSockkitServer` with a
 * TypeError instead: an `allowedOrigins` that is not `'*'`, a list or a function (a single
 * origin string would have left the same-origin default in force), list entries that can never
 * equal a browser's Origin header (a path, a trailing slash, upper case), and hooks or handlers
 * that are not functions, or missing.
 */
import type { ContractDef } from '@sockkit/core';
import type { ServerOptions } from './options.js';

/** Throws a TypeError naming the first option that cannot work. */
export function checkOptions(options: ServerOptions<unknown, unknown>, contract: ContractDef): void {
  const allowed = options.allowedOrigins;
  if (allowed !== undefined && allowed !== '*' && typeof allowed !== 'function') {
    if (!Array.isArray(allowed))
      fail(`allowedOrigins must be '*', a list of origins or a function, not ${JSON.stringify(allowed)}`);
    for (const origin of allowed as unknown[]) {
      const exact = typeof origin === 'string' ? originOf(origin) : undefined;
      if (exact !== origin) {
        const hint = exact ? ` (write it as ${JSON.stringify(exact)})` : '';
        fail(
          `allowedOrigins entry ${JSON.stringify(origin)} is not an origin like https://app.example${hint}`,
        );
      }
    }
  }
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function')
    fail('authenticate must be a function');
  const handlers = (options.handlers ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(contract.server ?? {})) {
    if (!Object.hasOwn(handlers, name)) fail(`no handler for server procedure '${name}'`);
    if (typeof handlers[name] !== 'function') fail(`the handler of '${name}' is not a function`);
  }
  const streams = (options.streams ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(contract.streams ?? {})) {
    if (!Object.hasOwn(streams, name)) fail(`no handler for stream '${name}'`);
    if (typeof streams[name] !== 'function') fail(`the handler of stream '${name}' is not a function`);
  }
  const hooks = (options.topics ?? {}) as Record<string, { onPublish?: unknown } | undefined>;
  for (const [name, def] of Object.entries(contract.topics ?? {})) {
    if (def.publishInput && typeof hooks[name]?.onPublish !== 'function')
      fail(`topic '${name}' has a publishInput: topics.${name}.onPublish must make its message`);
  }
}

/** What a browser would send as the Origin of `text`, or undefined if it is no URL. */
function originOf(text: string): string | undefined {
  if (text === 'null') return text; // sandboxed frames and file: pages send Origin: null
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function fail(message: string): never {
  throw new TypeError(`sockkit: ${message}`);
}
