/** The types the handler modules share: every handler typed from the contract, and what they work on. */
import type { ServerHandlers, SockkitServer } from '@sockkit/server';
import type { LiveDocsContract } from '../contract.js';
import type { Announcer } from './announce.js';
import type { CollabAuthority } from './authority.js';
import type { History } from './history.js';
import type { LiveDocsAuth } from './identity.js';

/** Every handler of the contract, typed from it. */
export type LiveDocsHandlers = ServerHandlers<LiveDocsContract, LiveDocsAuth>;

/** What the handlers work on. */
export interface HandlerDeps {
  authority: CollabAuthority;
  history: History;
  announce: Announcer;
}

/** The server as handlers reach it (`ctx.server`). */
export type LiveDocsServer = SockkitServer<LiveDocsContract, LiveDocsAuth>;
