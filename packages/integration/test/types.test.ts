/**
 * Type tests: every type on both sides comes from the contract's schemas. Each
 * `@ts-expect-error` line must fail to compile (tsc fails on an unused one), and
 * `expectTypeOf` pins the inferred types. `npm test` runs tsc over this file.
 */
import type { SockkitClient } from '@sockkit/client';
import { createSockkitClient } from '@sockkit/client/node';
import { defineContract } from '@sockkit/core';
import {
  type AuthContextOf,
  type AuthRequest,
  createSockkitServer,
  type ServerHandlers,
  type UserCallResult,
} from '@sockkit/server';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

const contract = defineContract({
  server: {
    echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string(), n: z.number() }) },
    noInput: { output: z.literal('pong') },
    parse: { input: z.string().transform((s) => Number(s)), output: z.number().transform((n) => String(n)) },
  },
  client: { confirm: { input: z.object({ q: z.string() }), output: z.boolean() } },
  topics: {
    doc: {
      params: z.object({ id: z.string() }),
      message: z.object({ v: z.number() }),
      presence: z.object({ name: z.string() }),
      publish: 'client',
    },
    news: { message: z.object({ headline: z.string() }) },
  },
});

// Compile-time only: these functions are type-checked, never called.
function clientSide(client: SockkitClient<typeof contract>) {
  expectTypeOf(client.call.echo).parameter(0).toEqualTypeOf<{ text: string }>();
  expectTypeOf(client.call.echo).returns.toEqualTypeOf<Promise<{ text: string; n: number }>>();
  // Callers pass the schema's input type and get its output type.
  expectTypeOf(client.call.parse).parameter(0).toEqualTypeOf<string>();
  expectTypeOf(client.call.parse).returns.toEqualTypeOf<Promise<string>>();
  // No input: the argument may be left out.
  void client.call.noInput();
  // @ts-expect-error unknown procedure
  void client.call.nope();
  // @ts-expect-error wrong input type
  void client.call.echo({ text: 1 });
  // @ts-expect-error missing input
  void client.call.echo();
  // @ts-expect-error client procedures are not callable from the client
  void client.call.confirm({ q: 'x' });

  const sub = client.subscribe.doc({ id: 'a' }, (message, info) => {
    expectTypeOf(message).toEqualTypeOf<{ v: number }>();
    expectTypeOf(info.offset).toEqualTypeOf<number | undefined>();
  });
  expectTypeOf(sub.presence.get('x')!.state).toEqualTypeOf<{ name: string }>();
  void sub.setPresence({ name: 'n' });
  // @ts-expect-error wrong presence shape
  void sub.setPresence({ name: 1 });
  // @ts-expect-error unknown topic
  client.subscribe.nope({});
  // @ts-expect-error wrong params
  client.subscribe.doc({ id: 1 });
  void client.publish.doc({ id: 'a' }, { v: 1 });
  // @ts-expect-error wrong message shape
  void client.publish.doc({ id: 'a' }, { v: 'one' });
  // @ts-expect-error news is server-publish only
  void client.publish.news(undefined, { headline: 'x' });
}

function serverSide() {
  const server = createSockkitServer({
    contract,
    authenticate: () => ({ context: { userId: 'u1', admin: false }, user: 'u1' }),
    handlers: {
      echo: (input, ctx) => {
        expectTypeOf(input).toEqualTypeOf<{ text: string }>();
        expectTypeOf(ctx.auth).toEqualTypeOf<{ userId: string; admin: boolean }>();
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        return { text: input.text, n: 1 };
      },
      noInput: () => 'pong' as const,
      // Handlers get the schema's output type and return its input type.
      parse: (input) => {
        expectTypeOf(input).toEqualTypeOf<number>();
        return input * 2;
      },
    },
    topics: {
      doc: {
        authorize: { subscribe: ({ params, auth }) => params.id.length > 0 && !auth.admin },
        onPublish: (message) => ({ v: message.v + 1 }),
      },
    },
  });
  void server.publish.doc({ id: 'a' }, { v: 1 });
  void server.publish.news(undefined, { headline: 'x' });
  // @ts-expect-error wrong message shape
  void server.publish.news(undefined, { headline: 1 });
  for (const conn of server.connections.values()) {
    expectTypeOf(conn.call.confirm).returns.toEqualTypeOf<Promise<boolean>>();
    // @ts-expect-error wrong input to a client procedure
    void conn.call.confirm({ q: 1 });
    void conn.subscribe.doc({ id: 'x' }, { presence: { name: 'n' } });
  }

  createSockkitServer({
    contract,
    handlers: {
      // @ts-expect-error output does not match the contract
      echo: () => ({ text: 1, n: 1 }),
      noInput: () => 'pong' as const,
      parse: (n) => n,
    },
  });

  createSockkitServer({
    contract,
    // @ts-expect-error a handler (parse) is missing
    handlers: { echo: () => ({ text: '', n: 1 }), noInput: () => 'pong' as const },
  });
}

/** Auth typing by inference, in every natural form of `authenticate` (issue 13). */
function authForms() {
  type User = { id: string; name: string };
  const verify = async (token: unknown): Promise<User> => ({ id: String(token), name: 'n' });
  const rest = {
    noInput: () => 'pong' as const,
    parse: (n: number) => n,
  };
  // async, argument destructured, unannotated: the README's pattern.
  createSockkitServer({
    contract,
    authenticate: async ({ params }) => {
      const user = await verify((params as { token?: string } | undefined)?.token);
      return { context: { user }, user: user.id };
    },
    handlers: {
      echo: (input, ctx) => {
        expectTypeOf(ctx.auth).toEqualTypeOf<{ user: User }>();
        return { text: ctx.auth.user.name + input.text, n: 1 };
      },
      ...rest,
    },
    topics: { doc: { authorize: { subscribe: ({ auth }) => auth.user.name !== '' } } },
    middleware: [
      (call, next) => {
        expectTypeOf(call.ctx.auth).toEqualTypeOf<{ user: User }>();
        return next();
      },
    ],
    onConnection: (conn) => expectTypeOf(conn.auth).toEqualTypeOf<{ user: User }>(),
  });
  // sync, argument not destructured.
  createSockkitServer({
    contract,
    authenticate: (request) => ({ context: { role: request.refresh ? 'again' : 'first' } }),
    handlers: {
      echo: (input, ctx) => {
        expectTypeOf(ctx.auth).toEqualTypeOf<{ role: string }>();
        return { text: ctx.auth.role + input.text, n: 1 };
      },
      ...rest,
    },
  });
  // async function expression, argument annotated.
  createSockkitServer({
    contract,
    authenticate: async (request: AuthRequest) => ({ context: { n: String(request.params).length } }),
    handlers: {
      echo: (input, { auth }) => {
        expectTypeOf(auth).toEqualTypeOf<{ n: number }>();
        return { text: input.text, n: auth.n };
      },
      ...rest,
    },
  });
  // Without authenticate, auth is undefined.
  createSockkitServer({
    contract,
    handlers: {
      echo: (input, ctx) => {
        expectTypeOf(ctx.auth).toEqualTypeOf<undefined>();
        return { text: input.text, n: 1 };
      },
      ...rest,
    },
  });
  createSockkitServer({
    contract,
    authenticate: () => ({ context: { user: 'u' } }),
    handlers: {
      // @ts-expect-error the auth context has no `admin`
      echo: (input, ctx) => ({ text: input.text + String(ctx.auth.admin), n: 1 }),
      ...rest,
    },
  });
}

/** Handlers written apart from createSockkitServer, and the server reached from inside one. */
function handlersApart() {
  const authenticate = async ({ params }: AuthRequest) => ({
    context: { user: String(params) },
    user: String(params),
  });
  type Auth = AuthContextOf<typeof authenticate>;
  expectTypeOf<Auth>().toEqualTypeOf<{ user: string }>();
  const handlers: ServerHandlers<typeof contract, Auth> = {
    echo: async (input, ctx) => {
      expectTypeOf(input).toEqualTypeOf<{ text: string }>();
      // The cross-node API from inside a handler, typed, with no reference to the server constant.
      const answers = await ctx.server.user(ctx.auth.user).call.confirm({ q: input.text });
      expectTypeOf(answers[0]!).toEqualTypeOf<UserCallResult<boolean>>();
      await ctx.server.publish.news(undefined, { headline: input.text });
      // @ts-expect-error wrong input to a client procedure
      void ctx.server.connection('c').call.confirm({ q: 1 });
      return { text: input.text, n: answers.length };
    },
    noInput: () => 'pong' as const,
    parse: (n) => n,
  };
  // @ts-expect-error a handler for a procedure the contract lacks
  const extra: ServerHandlers<typeof contract, Auth> = { ...handlers, nope: () => 1 };
  createSockkitServer({ contract, authenticate, handlers: extra });
}

/** Chat-shaped topics: a stamped field, presence the server rewrites, history on join and on the server. */
function chatTopics() {
  const chat = defineContract({
    topics: {
      room: {
        params: z.object({ id: z.string() }),
        publishInput: z.object({ text: z.string() }),
        message: z.object({ text: z.string(), author: z.string() }),
        presence: z.object({ name: z.string(), typing: z.boolean() }),
        publish: 'client',
      },
    },
  });
  // No server procedures: no handlers needed.
  const server = createSockkitServer({
    contract: chat,
    authenticate: ({ params }) => ({ context: { name: String(params) } }),
    topics: {
      room: {
        onPublish: (input, { auth }) => {
          expectTypeOf(input).toEqualTypeOf<{ text: string }>();
          return { text: input.text, author: auth.name };
        },
        onPresence: (state, { auth }) => {
          expectTypeOf(state).toEqualTypeOf<{ name: string; typing: boolean }>();
          return { ...state, name: auth.name };
        },
      },
    },
  });
  createSockkitServer({
    contract: chat,
    // @ts-expect-error onPublish must make the whole message (author missing)
    topics: { room: { onPublish: (input) => ({ text: input.text }) } },
  });
  void server.history.room({ id: 'a' }, { limit: 10 }).then((read) => {
    expectTypeOf(read.messages[0]!.message).toEqualTypeOf<{ text: string; author: string }>();
    expectTypeOf(read.messages[0]!.offset).toEqualTypeOf<number>();
  });
  const client = createSockkitClient({ url: 'ws://x', contract: chat });
  void client.publish.room({ id: 'a' }, { text: 'hi' });
  // @ts-expect-error the author is stamped by the server, not sent by the client
  void client.publish.room({ id: 'a' }, { text: 'hi', author: 'me' });
  client.subscribe.room(
    { id: 'a' },
    (message) => expectTypeOf(message).toEqualTypeOf<{ text: string; author: string }>(),
    {
      history: 50,
    },
  );
}

function clientHandlers() {
  createSockkitClient({
    url: 'ws://x',
    contract,
    handlers: {
      confirm: (input) => {
        expectTypeOf(input).toEqualTypeOf<{ q: string }>();
        return true;
      },
    },
  });
  createSockkitClient({
    url: 'ws://x',
    contract,
    // @ts-expect-error wrong result type for a client procedure (no overload matches)
    handlers: { confirm: () => 'yes' },
  });
}

describe('types', () => {
  it('are checked by tsc over this file (npm run typecheck)', () => {
    expectTypeOf(clientSide).toBeFunction();
    expectTypeOf(serverSide).toBeFunction();
    expectTypeOf(clientHandlers).toBeFunction();
    expectTypeOf(authForms).toBeFunction();
    expectTypeOf(handlersApart).toBeFunction();
    expectTypeOf(chatTopics).toBeFunction();
  });
});
