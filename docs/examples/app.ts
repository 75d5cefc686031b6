/**
 * Your app's own parts, as the examples in the READMEs and docs/ use them. They are typed
 * stand-ins, declared and not implemented: the examples are compiled, not run, and what they
 * show is how sockkit meets these parts, not the parts themselves. A block imports what it
 * uses from here (`import { db, verify } from './app.js'`); see docs/README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenceMember } from '@sockkit/core';
import type { ServerHandlers } from '@sockkit/server';
import type { contract } from './contract.js';

/** A signed-in user, as your session or token store knows them. */
export interface User {
  readonly id: string;
  /** Epoch ms at which the user's token expires. */
  readonly tokenExpiry: number;
  canRead(docId: string): boolean;
}

// Server side.

/** Your HTTP app (Express, a plain handler…) that the WebSocket endpoint shares a port with. */
export declare function app(request: IncomingMessage, response: ServerResponse): void;
/** Checks a token: the user it belongs to, or undefined. */
export declare function verify(token: string | undefined): Promise<User | undefined>;
/** Your database. */
export declare const db: {
  rename(id: string, title: string, options: { signal: AbortSignal }): Promise<void>;
  list(): Promise<{ id: string; title: string }[]>;
};
/** Your logger. */
export declare const log: {
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
};
/** The handlers of the contract's server procedures, written elsewhere. */
export declare const handlers: ServerHandlers<typeof contract>;
/** A connection id and a user key your app kept (from `onConnection`, its sessions…). */
export declare const connId: string;
export declare const userId: string;

// Browser side.

/** Your auth library: hands out a fresh token. */
export declare const auth: { freshToken(): Promise<string> };
/** A connection badge in the page. */
export declare const badge: { set(state: string): void };
/** The document the page shows, and a signal that aborts when the page leaves it. */
export declare const id: string;
export declare const signal: AbortSignal;
/** Applies a document update to the page. */
export declare function apply(message: { version: number; changes: unknown }): void;
/** Reloads the document when history no longer reached back. */
export declare function resync(): void;
/** Shows who is here. */
export declare function render(members: PresenceMember<{ name: string; color: string }>[]): void;
export declare function showBanner(text: string): void;
export declare function redirectToLogin(): void;
