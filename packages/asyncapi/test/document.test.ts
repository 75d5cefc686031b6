/**
 * toAsyncAPI: the documents of the repository's contracts pass @asyncapi/parser (the
 * reference validator: schema of the spec plus its Spectral rules) with no error and no
 * warning, and frames written by core's builders (the only code that writes frames) validate
 * against the payloads the document gives their messages, while wrong ones do not.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Parser } from '@asyncapi/parser';
import { defineContract, superjsonCodec } from '@sockkit/core';
import {
  callFrame,
  msgFrame,
  presenceFrame,
  pubFrame,
  resultFrame,
  subFrame,
  subscribedFrame,
} from '@sockkit/core/protocol';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { chatContract } from '../../../apps/example/src/contract.js';
import { type AsyncAPIDocument, toAsyncAPI } from '../src/index.js';
import { pickContract } from '../src/load-contract.js';

/** Every app's contract in the repository (apps/<name>/src/contract.ts): an app added later is covered too. */
const appsDir = fileURLToPath(new URL('../../../apps/', import.meta.url));
const appContracts = await Promise.all(
  readdirSync(appsDir)
    .filter((name) => existsSync(join(appsDir, name, 'src/contract.ts')))
    .sort()
    .map(async (name) => {
      const file = join(appsDir, name, 'src/contract.ts');
      return [`apps/${name}`, pickContract(await import(pathToFileURL(file).href), file)] as const;
    }),
);

const parser = new Parser();

/** Diagnostics that matter: errors and warnings (the one info says AsyncAPI 3.1 exists; 3.0 is what we write). */
async function problems(doc: AsyncAPIDocument) {
  const { document, diagnostics } = await parser.parse(JSON.stringify(doc));
  const serious = diagnostics
    .filter((d) => d.severity <= 1)
    .map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
  const info = diagnostics.filter((d) => d.severity > 1).map((d) => d.code);
  return { document, serious, info };
}

interface Node {
  name: string;
  children: Node[];
}
const node: z.ZodType<Node> = z.object({
  name: z.string(),
  get children() {
    return z.array(node);
  },
});

/** Every feature of a contract at once. */
const full = defineContract({
  server: {
    save: {
      input: z.object({ at: z.date(), big: z.bigint(), tree: node }),
      output: z.object({ ok: z.boolean() }),
      idempotent: true,
    },
    now: { output: z.date(), timeout: 500 },
  },
  client: { confirm: { input: z.string(), output: z.boolean() } },
  topics: {
    chat: {
      params: z.object({ room: z.string() }),
      publishInput: z.object({ text: z.string().max(10) }),
      message: z.object({ text: z.string(), from: z.string() }),
      presence: z.object({ name: z.string() }),
      publish: 'client',
    },
    ticks: { message: z.number().int(), volatile: true },
  },
});

describe('toAsyncAPI against @asyncapi/parser', () => {
  it('finds the contracts of the apps', () => {
    expect(appContracts.map(([name]) => name)).toEqual(
      expect.arrayContaining(['apps/example', 'apps/live-docs']),
    );
  });

  it.each([...appContracts, ['every feature', full] as const])(
    'the %s contract gives a valid document, without warnings',
    async (_, contract) => {
      const { document, serious, info } = await problems(
        toAsyncAPI(contract, { title: 'API', version: '1.0.0', url: 'wss://api.example.com/ws' }),
      );
      expect(serious).toEqual([]);
      expect(info).toEqual(['asyncapi-latest-version']);
      expect(document?.version()).toBe('3.0.0');
    },
  );

  it('fails a document whose operation names a message its channel lacks (the check can fail)', async () => {
    const doc = toAsyncAPI(chatContract, { title: 'API', version: '1.0.0' });
    delete doc.channels.connection?.messages?.['server.hello.call' as never];
    const { serious } = await problems(doc);
    expect(serious.join('\n')).toMatch(/server\.hello\.call/);
  });

  it('lists every procedure both ways and every topic, from the server side', async () => {
    const { document } = await problems(toAsyncAPI(full, { title: 'API', version: '1.0.0' }));
    const ops = Object.fromEntries(
      document
        ?.operations()
        .all()
        .map((op) => [op.id(), op.action()]) ?? [],
    );
    expect(ops).toEqual({
      hello: 'receive',
      ping: 'receive',
      cancel: 'receive',
      'server.save': 'receive',
      'server.now': 'receive',
      'client.confirm': 'send',
      'topic.chat.subscribe': 'receive',
      'topic.chat.unsubscribe': 'receive',
      'topic.chat.messages': 'send',
      'topic.chat.publish': 'receive',
      'topic.chat.presence': 'send',
      'topic.chat.setPresence': 'receive',
      'topic.ticks.subscribe': 'receive',
      'topic.ticks.unsubscribe': 'receive',
      'topic.ticks.messages': 'send',
    });
    const channels = Object.fromEntries(
      document
        ?.channels()
        .all()
        .map((c) => [c.id(), c.address()]) ?? [],
    );
    expect(channels).toEqual({ connection: '/', 'topic.chat': 'chat:{params}', 'topic.ticks': 'ticks' });
    expect(
      document
        ?.channels()
        .get('topic.chat')
        ?.parameters()
        .all()
        .map((p) => p.id()),
    ).toEqual(['params']);
    const save = document?.operations().get('server.save');
    expect(
      save
        ?.reply()
        ?.messages()
        .all()
        .map((m) => m.id()),
    ).toEqual(['server.save.result', 'error']);
    expect(save?.summary()).toContain('idempotent');
  });
});

describe('frames as the builders write them', () => {
  const doc = toAsyncAPI(full, { title: 'API', version: '1.0.0' });
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema({ components: doc.components }, 'doc');
  const check = (message: string, frame: string) => {
    const validate = ajv.compile({ $ref: `doc#/components/messages/${message}/payload` });
    return validate(JSON.parse(frame))
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
  const enc = (value: unknown) => superjsonCodec.encode(value);
  const tree: Node = { name: 'a', children: [{ name: 'b', children: [] }] };

  it('a call with Date, BigInt and a recursive tree matches its call message', () => {
    const frame = callFrame(1, 'save', enc({ at: new Date(0), big: 12n, tree }));
    expect(check('server.save.call', frame)).toEqual([]);
    expect(check('server.save.call', callFrame(1, 'save', enc({ at: 5, big: 12n, tree })))).not.toEqual([]);
    expect(
      check('server.save.call', callFrame(1, 'now', enc({ at: new Date(0), big: 12n, tree }))),
    ).not.toEqual([]);
    expect(
      check(
        'server.save.call',
        callFrame(1, 'save', enc({ at: new Date(0), big: 12n, tree: { name: 'a', children: [{}] } })),
      ),
    ).not.toEqual([]);
  });

  it('a call without input carries no d', () => {
    expect(check('server.now.call', callFrame(2, 'now', { json: undefined, meta: undefined }))).toEqual([]);
    expect(check('server.now.call', callFrame(2, 'now', enc(1)))).not.toEqual([]);
    expect(check('server.now.result', resultFrame(2, enc(new Date(5))))).toEqual([]);
  });

  it('topic frames: sub, subscribed with presence, pub, msg, presence', () => {
    expect(
      check('topic.chat.sub', subFrame(3, 'chat', { room: 'r' }, undefined, enc({ name: 'Ada' }), 10)),
    ).toEqual([]);
    expect(check('topic.chat.sub', subFrame(3, 'chat', undefined, undefined, undefined))).not.toEqual([]);
    expect(check('topic.chat.sub', subFrame(3, 'ticks', { room: 'r' }, undefined, undefined))).not.toEqual(
      [],
    );
    const subscribed = subscribedFrame({
      id: 3,
      topic: 'chat',
      params: { room: 'r' },
      channel: 'chat:{"room":"r"}',
      position: { epoch: 'e1', offset: 0 },
      recovered: true,
      members: [{ conn: 'c1', user: 'ada', state: enc({ name: 'Ada' }) }],
    });
    expect(check('topic.chat.subscribed', subscribed)).toEqual([]);
    expect(check('topic.chat.pub', pubFrame(4, 'chat', { room: 'r' }, enc({ text: 'hi' }), false))).toEqual(
      [],
    );
    expect(
      check(
        'topic.chat.pub',
        pubFrame(4, 'chat', { room: 'r' }, enc({ text: 'far too long a text' }), false),
      ),
    ).not.toEqual([]);
    const c = JSON.stringify('chat:{"room":"r"}');
    expect(check('topic.chat.msg', msgFrame(c, '"e1"', 1, enc({ text: 'hi', from: 'ada' })))).toEqual([]);
    expect(check('topic.chat.msg', msgFrame(c, '"e1"', 1, enc({ text: 'hi' })))).not.toEqual([]);
    expect(check('topic.ticks.msg', msgFrame('"ticks"', '"e1"', undefined, enc(7)))).toEqual([]);
    const member = { conn: 'c1', user: 'ada', state: enc({ name: 'Ada' }) };
    expect(check('topic.chat.presence', presenceFrame(c, 'join', member))).toEqual([]);
    expect(
      check('topic.chat.presence', presenceFrame(c, 'join', { ...member, state: enc({ name: 5 }) })),
    ).not.toEqual([]);
  });

  it('names the params of a topic channel and their schema', () => {
    const channel = doc.channels['topic.chat'] as { parameters: { params: { 'x-sockkit-schema': unknown } } };
    expect(channel.parameters.params['x-sockkit-schema']).toMatchObject({
      type: 'object',
      required: ['room'],
    });
  });
});
