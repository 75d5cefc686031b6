/**
 * `toAsyncAPI`: a contract as an AsyncAPI 3.0 document, written from the server's side (it
 * `receive`s what clients send and `send`s what they receive).
 *
 * - One channel, `connection`, is the WebSocket itself (subprotocol `sockkit.v2`): the
 *   handshake and the calls of both directions travel on it.
 * - One channel per topic, its address the channel key: the topic name, or `name:{params}` with
 *   the params as JSON with sorted keys, exactly the key `subscribed` returns.
 * - Operations: every procedure both ways with its `call` and the `result` or `error` reply,
 *   and per topic subscribe, unsubscribe, messages, publish (topics clients publish to) and
 *   presence (topics with a presence schema).
 * - Every message is the full frame (envelope.ts) with the contract's schema in `d`.
 */
import { type Contract, type ProcedureDef, SUBPROTOCOL, type TopicDef } from '@sockkit/core';
import type { MessageKind } from '@sockkit/core/protocol';
import type * as z from 'zod';
import { frame } from './envelope.js';
import { type JsonSchema, SchemaSet } from './json-schema.js';

/** What the document says about the API, beyond the contract. */
export interface AsyncAPIInfo {
  /** The API's name. */
  title: string;
  /** The API's version (of the contract, not of AsyncAPI). */
  version: string;
  /** A description (CommonMark). */
  description?: string;
  /**
   * The WebSocket URL clients connect to, e.g. `wss://api.example.com/ws`: adds a `servers`
   * entry and makes its path the `connection` channel's address.
   */
  url?: string;
}

/** The AsyncAPI 3.0 document: plain JSON data, ready for `JSON.stringify` or a YAML writer. */
export interface AsyncAPIDocument {
  /** The AsyncAPI version. */
  asyncapi: '3.0.0';
  /** Title, version and description of the API. */
  info: { title: string; version: string; description?: string };
  /** Every frame is JSON. */
  defaultContentType: 'application/json';
  /** `default`: the server at `info.url`, when given. */
  servers?: Record<string, JsonSchema>;
  /** `connection` (the WebSocket) and `topic.<name>` per topic. */
  channels: Record<string, JsonSchema>;
  /** `server.<name>`, `client.<name>`, `topic.<name>.<action>`, and the session's. */
  operations: Record<string, JsonSchema>;
  /** Messages (every frame the document names) and schemas shared by reference. */
  components: { schemas: Record<string, JsonSchema>; messages: Record<string, JsonSchema> };
}

const ref = (path: string) => ({ $ref: path });
const CONNECTION = 'connection';

/**
 * Describes `contract` as an AsyncAPI 3.0 document. Schemas come from zod 4's
 * `z.toJSONSchema`, as the default codec puts values on the wire.
 *
 * @example
 * ```ts
 * import { toAsyncAPI } from '@sockkit/asyncapi';
 * import { defineContract } from '@sockkit/core';
 * import { z } from 'zod';
 *
 * const contract = defineContract({
 *   server: { echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string() }) } },
 * });
 * const doc = toAsyncAPI(contract, { title: 'Echo', version: '1.0.0' });
 * console.log(JSON.stringify(doc, null, 2));
 * ```
 */
export function toAsyncAPI(contract: Contract, info: AsyncAPIInfo): AsyncAPIDocument {
  const builder = new DocumentBuilder();
  builder.session();
  for (const [name, def] of Object.entries(contract.server ?? {})) builder.procedure('server', name, def);
  for (const [name, def] of Object.entries(contract.client ?? {})) builder.procedure('client', name, def);
  for (const [name, def] of Object.entries(contract.topics ?? {})) builder.topic(name, def);
  return builder.document(info);
}

/** Accumulates channels, operations, messages and schemas; one per document. */

/** The session's messages, with no field beyond their envelope's: kind and summary, in document order. */
const SESSION_MESSAGES: readonly (readonly [MessageKind, string])[] = [
  ['hello', 'First message: the connection params (credentials).'],
  ['welcome', 'Handshake done: session, connection id, announced limits.'],
  ['error', 'A request failed (or, without id, a whole frame).'],
  ['ping', 'Application-level liveness probe (either side).'],
  ['pong', 'Answer to a ping, with its id.'],
  ['cancel', 'The caller gave up on a call (either side).'],
  ['result', 'Answer to a request that carries no value (unsub, pset).'],
];
class DocumentBuilder {
  private readonly schemas = new SchemaSet();
  private readonly messages: Record<string, JsonSchema> = {};
  private readonly channels: Record<string, JsonSchema> = {};
  private readonly operations: Record<string, JsonSchema> = {};
  private readonly connectionMessages: Record<string, JsonSchema> = {};

  /** Registers a message in components and returns the `$ref` a channel lists. */
  private message(key: string, kind: string, summary: string, payload: JsonSchema): JsonSchema {
    this.messages[key] = { name: kind, title: key, summary, payload };
    return ref(`#/components/messages/${key}`);
  }

  private payload(schema: z.ZodType | undefined, side: 'input' | 'output', name: string): JsonSchema {
    return schema === undefined
      ? { description: 'No payload: `d` is absent.', not: {} }
      : this.schemas.convert(schema, side, name);
  }

  /** Adds `operation`, whose messages (and reply's) are keys of `channel`'s messages. */
  private operation(
    id: string,
    action: 'send' | 'receive',
    channel: string,
    messages: string[],
    summary: string,
    reply?: string[],
  ): void {
    const channelRef = `#/channels/${channel}`;
    this.operations[id] = {
      action,
      channel: ref(channelRef),
      summary,
      messages: messages.map((key) => ref(`${channelRef}/messages/${key}`)),
      ...(reply === undefined
        ? {}
        : {
            reply: {
              channel: ref(channelRef),
              messages: reply.map((key) => ref(`${channelRef}/messages/${key}`)),
            },
          }),
    };
  }

  session(): void {
    const on = this.connectionMessages;
    for (const [kind, summary] of SESSION_MESSAGES) on[kind] = this.message(kind, kind, summary, frame(kind));
    this.operation('hello', 'receive', CONNECTION, ['hello'], 'A client opens its session.', ['welcome']);
    this.operation('ping', 'receive', CONNECTION, ['ping'], 'A client checks the link.', ['pong']);
    this.operation('cancel', 'receive', CONNECTION, ['cancel'], 'A client gives up on a call.');
  }

  procedure(side: 'server' | 'client', name: string, def: ProcedureDef): void {
    const key = `${side}.${name}`;
    const call = `${key}.call`;
    const result = `${key}.result`;
    const p = { type: 'string', const: name, description: 'The procedure.' };
    this.connectionMessages[call] = this.message(
      call,
      'call',
      `Calls ${name} (${side === 'server' ? 'client to server' : 'server to client'}).`,
      frame(
        'call',
        { p, d: this.payload(def.input, 'input', `${key}.input`) },
        def.input === undefined ? [] : ['d'],
      ),
    );
    this.connectionMessages[result] = this.message(
      result,
      'result',
      `What ${name} answers.`,
      frame('result', { d: this.payload(def.output, 'output', `${key}.output`) }),
    );
    const notes = [
      def.idempotent ? 'idempotent (re-sent after a reconnect)' : '',
      def.timeout ? `timeout ${def.timeout} ms` : '',
    ]
      .filter(Boolean)
      .join('; ');
    this.operation(
      key,
      side === 'server' ? 'receive' : 'send',
      CONNECTION,
      [call],
      `${side === 'server' ? 'Clients call' : 'The server calls'} ${name}${notes ? ` (${notes})` : ''}.`,
      [result, 'error'],
    );
  }

  topic(name: string, def: TopicDef): void {
    const channel = `topic.${name}`;
    const key = (suffix: string) => `${channel}.${suffix}`;
    const topic = { type: 'string', const: name, description: 'The topic.' };
    const params =
      def.params === undefined ? undefined : this.schemas.convert(def.params, 'input', key('params'));
    const pinned = params === undefined ? { topic } : { topic, params };
    const on: Record<string, JsonSchema> = {};
    on.sub = this.message(
      key('sub'),
      'sub',
      `Subscribes to a channel of ${name}.`,
      frame('sub', pinned, params ? ['params'] : []),
    );
    on.subscribed = this.message(
      key('subscribed'),
      'subscribed',
      `Subscribed: the channel key and position.`,
      frame('subscribed', pinned),
    );
    on.msg = this.message(
      key('msg'),
      'msg',
      `A message on ${name}.`,
      frame('msg', { d: this.payload(def.message, 'output', key('message')) }),
    );
    on.unsub = this.message(key('unsub'), 'unsub', 'Unsubscribes from a channel.', frame('unsub'));
    on.unsubscribed = this.message(
      key('unsubscribed'),
      'unsubscribed',
      'The server ended the subscription.',
      frame('unsubscribed'),
    );
    on.result = ref('#/components/messages/result');
    on.error = ref('#/components/messages/error');
    this.operation(key('subscribe'), 'receive', channel, ['sub'], `Clients subscribe to ${name}.`, [
      'subscribed',
      'error',
    ]);
    this.operation(key('unsubscribe'), 'receive', channel, ['unsub'], `Clients unsubscribe.`, [
      'result',
      'error',
    ]);
    this.operation(
      key('messages'),
      'send',
      channel,
      ['msg', 'unsubscribed'],
      `Subscribers receive ${name}'s messages${def.volatile ? ' (volatile: no history, no offsets)' : ''}.`,
    );
    if (def.publish === 'client') {
      const input = this.payload(def.publishInput ?? def.message, 'input', key('publishInput'));
      on.pub = this.message(
        key('pub'),
        'pub',
        `Publishes on ${name}.`,
        frame('pub', { ...pinned, d: input }, params ? ['params'] : []),
      );
      on.published = this.message(
        key('published'),
        'result',
        'The broker accepted the message: its position.',
        frame('result', {
          d: {
            type: 'object',
            properties: { epoch: { type: 'string' }, offset: { type: 'integer', minimum: 0 } },
            required: ['epoch'],
          },
        }),
      );
      this.operation(key('publish'), 'receive', channel, ['pub'], `Clients publish on ${name}.`, [
        'published',
        'error',
      ]);
    }
    if (def.presence !== undefined) {
      const state = this.payload(def.presence, 'output', key('presence'));
      const member = {
        type: 'object',
        properties: { conn: { type: 'string' }, user: { type: 'string' }, d: state, m: {} },
        required: ['conn'],
      };
      on.presence = this.message(
        key('presence'),
        'presence',
        `A presence change on a channel of ${name}.`,
        frame('presence', { member }),
      );
      on.pset = this.message(
        key('pset'),
        'pset',
        `Sets this connection's presence state.`,
        frame('pset', { d: this.payload(def.presence, 'input', key('presenceInput')) }),
      );
      this.operation(
        key('presence'),
        'send',
        channel,
        ['presence'],
        `Subscribers see members join, update and leave.`,
      );
      this.operation(key('setPresence'), 'receive', channel, ['pset'], `Clients set their presence state.`, [
        'result',
        'error',
      ]);
    }
    this.channels[channel] = {
      address: params === undefined ? name : `${name}:{params}`,
      title: `Topic ${name}`,
      description: `Channels of topic \`${name}\`; subscribed with \`sub\`, published by ${def.publish === 'client' ? 'clients and the server' : 'the server only'}.`,
      messages: on,
      ...(params === undefined
        ? {}
        : {
            parameters: {
              params: {
                description: `The topic's params, validated, as JSON with sorted keys (e.g. \`${name}:{"id":"abc"}\`). Their schema is \`x-sockkit-schema\`.`,
                'x-sockkit-schema': params,
              },
            },
          }),
    };
  }

  document(info: AsyncAPIInfo): AsyncAPIDocument {
    const url = info.url === undefined ? undefined : new URL(info.url);
    const connection = {
      address: url?.pathname ?? '/',
      title: 'The WebSocket connection',
      description: `One WebSocket with the subprotocol \`${SUBPROTOCOL}\`. A frame is a UTF-8 text holding one message or a JSON array of them (a batch); docs/protocol.md describes every kind.`,
      messages: this.connectionMessages,
    };
    const { description, title, version } = info;
    return {
      asyncapi: '3.0.0',
      info: {
        title,
        version,
        description: `${description === undefined ? '' : `${description}\n\n`}Written from the server's side: it receives what clients send and sends what they receive.`,
      },
      defaultContentType: 'application/json',
      ...(url === undefined
        ? {}
        : {
            servers: {
              default: { host: url.host, protocol: url.protocol.replace(':', ''), pathname: url.pathname },
            },
          }),
      channels: { [CONNECTION]: connection, ...this.channels },
      operations: this.operations,
      components: { schemas: this.schemas.components, messages: this.messages },
    };
  }
}
