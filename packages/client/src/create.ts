/**
 * The factories: `createSockkitClient` (calls, subscriptions, serving the server's calls) and
 * `createSockkitCallClient` (calls only, for apps that never subscribe, publish or serve the
 * server's calls: a bundler leaves subscriptions and call serving out of their bundle). Both
 * work from the contract's type alone; passing the contract object as well turns on the checks
 * that need its schemas. Streams are a part either takes as the `streams` option (the overloads
 * add `client.stream` when it is given), so an app that never streams does not bundle them.
 */
import type { ContractDef } from '@sockkit/core';
import { Channels } from './channels.js';
import { Client, type ClientParts } from './client.js';
import type {
  CallClientOptions,
  ClientOptions,
  ClientStreams,
  ContractClientOptions,
  SockkitCallClient,
  SockkitClient,
  TypeOnlyClientOptions,
  WithStreams,
} from './options.js';
import { CallServer } from './serve.js';

/** A full client's parts, shared by every client (each makes its own on first use). */
const FULL: ClientParts = {
  channels: (client, requests, codec) => new Channels(client, requests, codec),
  server: (client, codec) =>
    new CallServer(client.contract, (client.options.handlers ?? {}) as never, codec, (frame) =>
      client.send(frame),
    ),
};
const CALLS_ONLY: ClientParts = {};

/**
 * Creates a client. It connects at once and keeps the connection up until `close()`.
 * Give the contract's type (`import type`), so the app's bundle holds no schemas; pass
 * `contract` too to validate the server's calls to this client (see the README), and `streams`
 * to open the contract's streams.
 *
 * @example
 * ```ts
 * const client = createSockkitClient<typeof contract>({ url: 'wss://example.com/ws' });
 * const reply = await client.call.echo({ text: 'hi' });
 * ```
 */
export function createSockkitClient<const C extends ContractDef>(
  options: TypeOnlyClientOptions<C> & WithStreams,
): SockkitClient<C> & ClientStreams<C>;
export function createSockkitClient<const C extends ContractDef>(
  options: ContractClientOptions<C> & WithStreams,
): SockkitClient<C> & ClientStreams<C>;
export function createSockkitClient<const C extends ContractDef>(
  options: TypeOnlyClientOptions<C>,
): SockkitClient<C>;
export function createSockkitClient<const C extends ContractDef>(
  options: ContractClientOptions<C>,
): SockkitClient<C>;
export function createSockkitClient<const C extends ContractDef>(
  options: ClientOptions<C>,
): SockkitClient<C> {
  return new Client(options as ClientOptions<ContractDef>, FULL) as unknown as SockkitClient<C>;
}

/**
 * Creates a client that only calls the server's procedures: no `subscribe`, `publish` or
 * `handlers` (the server's calls to it are answered NOT_FOUND), and a smaller bundle.
 *
 * @example
 * ```ts
 * const client = createSockkitCallClient<typeof contract>({ url: 'wss://example.com/ws' });
 * const reply = await client.call.echo({ text: 'hi' });
 * ```
 */
export function createSockkitCallClient<const C extends ContractDef>(
  options: CallClientOptions<C> & WithStreams,
): SockkitCallClient<C> & ClientStreams<C>;
export function createSockkitCallClient<const C extends ContractDef>(
  options: CallClientOptions<C>,
): SockkitCallClient<C>;
export function createSockkitCallClient<const C extends ContractDef>(
  options: CallClientOptions<C>,
): SockkitCallClient<C> {
  return new Client(options as ClientOptions<ContractDef>, CALLS_ONLY) as unknown as SockkitCallClient<C>;
}
