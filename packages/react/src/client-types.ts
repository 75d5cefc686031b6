/**
 * The client the hooks use, and the names they accept, all from the contract's type. The hooks
 * import only types from `@sockkit/client`; the app creates the client.
 */
import type { SockkitClient } from '@sockkit/client';
import type { ClientPublishableTopics, ContractDef, ServerProcedures, Streams, Topics } from '@sockkit/core';

/** A client of any contract, as the provider holds it. */
export type AnySockkitClient = SockkitClient<ContractDef>;

/**
 * What the hooks run against: a client, or `null` where there must be none (a server render).
 * With `null` every hook renders the disconnected state and opens nothing.
 */
export type ClientOrNull<C> = SockkitClient<C> | null;

/** Names of the server procedures of `C`. */
export type ProcedureName<C> = keyof ServerProcedures<C> & string;
/** Names of the topics of `C`. */
export type TopicName<C> = keyof Topics<C> & string;
/** Names of the topics of `C` that clients may publish to (`publish: 'client'`). */
export type PublishableTopicName<C> = ClientPublishableTopics<C> & keyof Topics<C> & string;

/** Names of the server streams of `C` (`direction: 'server'`). */
export type ServerStreamName<C> = {
  [K in keyof Streams<C>]: Streams<C>[K] extends { direction: 'server' } ? K : never;
}[keyof Streams<C>] &
  string;
