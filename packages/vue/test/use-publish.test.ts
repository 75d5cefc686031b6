/**
 * `usePublish` against a real sockkit server and real clients over 127.0.0.1: a message
 * published from one component reaches a subscriber in another, the refs follow each publish,
 * refusals land in `error`, and what the scope's end does to publishes in flight.
 */
import { createSockkitClient, type SockkitClient } from '@sockkit/client/node';
import { createSockkitServer } from '@sockkit/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSockkitVue } from '../src/index.js';
import { contract } from './fake-client.js';
import { inApp, until } from './in-app.js';

const kit = createSockkitVue(contract);

let server: ReturnType<typeof createSockkitServer<typeof contract>>;
let publisher: SockkitClient<typeof contract>;
let subscriber: SockkitClient<typeof contract>;
/** Rooms of every client publish to `chat` that reached the server, in arrival order. */
const arrived: string[] = [];
/** Lets the server answer the publish to room `held` it is holding back. */
let releaseHeld: (() => void) | undefined;

beforeAll(async () => {
  server = createSockkitServer({
    contract,
    port: 0,
    host: '127.0.0.1',
    handlers: { double: ({ n }) => n * 2, list: () => [] },
    topics: {
      chat: {
        authorize: {
          publish: async ({ params }) => {
            arrived.push(params.room);
            if (params.room === 'held') await new Promise<void>((resolve) => (releaseHeld = resolve));
            return params.room !== 'locked';
          },
        },
      },
    },
  });
  await server.ready;
  publisher = createSockkitClient({ url: `ws://127.0.0.1:${server.port}`, contract });
  subscriber = createSockkitClient({ url: `ws://127.0.0.1:${server.port}`, contract });
  await Promise.all([publisher.ready(), subscriber.ready()]);
});

afterAll(async () => {
  await Promise.all([publisher.close(), subscriber.close()]);
  await server.close({ timeout: 1000 });
});

/** A component subscribed to a chat room with `subscriber`, collecting what it receives. */
async function listen(room: string) {
  const seen: { text: string; offset: number | undefined }[] = [];
  const view = inApp(subscriber, () =>
    kit.useSubscription(
      'chat',
      { room },
      { onMessage: (m, info) => seen.push({ text: m.text, offset: info.offset }) },
    ),
  );
  await until(() => view.result.ready.value, `subscribed to ${room}`);
  return { seen, stop: view.stop };
}

describe('usePublish', () => {
  it('publishes from one component to a subscriber in another, with pending and result', async () => {
    const room = await listen('r1');
    const { result: chat, stop } = inApp(publisher, () => kit.usePublish('chat'));
    expect(chat.pending.value).toBe(false);
    const sent = chat.publish({ room: 'r1' }, { text: 'hello' });
    expect(chat.pending.value).toBe(true);
    const landed = await sent;
    expect(landed).toEqual({ epoch: expect.any(String), offset: 1 });
    expect(chat.result.value).toEqual(landed);
    expect(chat.pending.value).toBe(false);
    expect(chat.error.value).toBeUndefined();
    await until(() => room.seen.length === 1, 'the message at the subscriber');
    expect(room.seen).toEqual([{ text: 'hello', offset: 1 }]);
    stop();
    room.stop();
  });

  it('passes volatile through: the composable default, overridden per publish', async () => {
    const room = await listen('r2');
    const { result: chat, stop } = inApp(publisher, () => kit.usePublish('chat', { volatile: true }));
    const fleeting = await chat.publish({ room: 'r2' }, { text: 'typing' });
    expect(fleeting).toEqual({ epoch: expect.any(String) }); // not stored: no offset
    const kept = await chat.publish({ room: 'r2' }, { text: 'kept' }, { volatile: false });
    expect(kept?.offset).toBe(1);
    await until(() => room.seen.length === 2, 'both messages');
    expect(room.seen).toEqual([
      { text: 'typing', offset: undefined },
      { text: 'kept', offset: 1 },
    ]);
    stop();
    room.stop();
  });

  it('shows a refused publish in error (FORBIDDEN), an invalid one (BAD_REQUEST), and clears it on the next', async () => {
    const locked = await listen('locked');
    const { result: chat, stop } = inApp(publisher, () => kit.usePublish('chat'));
    await expect(chat.publish({ room: 'locked' }, { text: 'let me in' })).resolves.toBeUndefined();
    expect(chat.error.value?.code).toBe('FORBIDDEN');
    expect(chat.pending.value).toBe(false);
    expect(chat.result.value).toBeUndefined();

    await expect(chat.publish({ room: 'r3' }, { text: 'x'.repeat(21) })).resolves.toBeUndefined();
    expect(chat.error.value?.code).toBe('BAD_REQUEST');

    const sent = chat.publish({ room: 'r3' }, { text: 'fine' });
    expect(chat.error.value).toBeUndefined(); // cleared when a publish starts
    expect((await sent)?.offset).toBe(1);
    expect(chat.error.value).toBeUndefined();
    expect(publisher.state).toBe('open'); // refusals do not cost the connection
    expect(locked.seen).toEqual([]);
    stop();
    locked.stop();
  });

  it('publishes do not supersede each other: pending until the last settles, a failure among them stays', async () => {
    const { result: chat, stop } = inApp(publisher, () => kit.usePublish('chat'));
    const held = chat.publish({ room: 'held' }, { text: 'slow' });
    const refused = chat.publish({ room: 'locked' }, { text: 'a' });
    const accepted = chat.publish({ room: 'r4' }, { text: 'b' });
    expect(await refused).toBeUndefined();
    const landed = await accepted;
    expect(landed?.offset).toBe(1);
    expect(chat.pending.value).toBe(true); // the held one is still in flight
    expect(chat.error.value?.code).toBe('FORBIDDEN');
    expect(chat.result.value).toEqual(landed);
    await until(() => releaseHeld !== undefined, 'the held publish at the server');
    releaseHeld?.();
    const late = await held;
    expect(late?.offset).toBe(1);
    expect(chat.pending.value).toBe(false);
    expect(chat.result.value).toEqual(late);
    expect(chat.error.value?.code).toBe('FORBIDDEN'); // a later success does not hide a failure
    chat.reset();
    expect(chat.error.value).toBeUndefined();
    expect(chat.result.value).toBeUndefined();
    stop();
  });

  it("reports the caller's own abort, before or after sending, as CANCELLED", async () => {
    const { result: chat, stop } = inApp(publisher, () => kit.usePublish('chat'));
    const controller = new AbortController();
    controller.abort();
    await expect(
      chat.publish({ room: 'r5' }, { text: 'never' }, { signal: controller.signal }),
    ).resolves.toBeUndefined();
    expect(chat.error.value?.code).toBe('CANCELLED');
    expect(chat.pending.value).toBe(false);
    const later = new AbortController();
    const sent = chat.publish({ room: 'r5' }, { text: 'sent' }, { signal: later.signal });
    later.abort(); // after it went out: only the wait for the answer is given up
    await expect(sent).resolves.toBeUndefined();
    expect(chat.error.value?.code).toBe('CANCELLED');
    stop();
  });

  it('when the scope ends, a publish still queued is dropped and never sent; refs stay as they were', async () => {
    const room = await listen('queued');
    // Not connected yet: its publishes wait in the client's queue.
    const late = createSockkitClient({ url: `ws://127.0.0.1:${server.port}`, contract });
    expect(late.state).toBe('connecting');
    const { result: chat, stop } = inApp(late, () => kit.usePublish('chat'));
    const dropped = chat.publish({ room: 'queued' }, { text: 'dropped' });
    expect(chat.pending.value).toBe(true);
    stop();
    await expect(dropped).resolves.toBeUndefined();
    expect(chat.error.value).toBeUndefined();
    await late.ready();
    // The queue is sent in order: had the first one still been queued, it would arrive first.
    await late.publish.chat({ room: 'queued' }, { text: 'sentinel' });
    await until(() => room.seen.length === 1, 'the sentinel');
    expect(room.seen.map((m) => m.text)).toEqual(['sentinel']);
    expect(arrived.filter((r) => r === 'queued')).toHaveLength(1);
    await late.close();
    room.stop();
  });

  it('when the scope ends, a publish already sent still reaches subscribers (unmount does not unpublish)', async () => {
    const room = await listen('sent');
    const { result: chat, stop } = inApp(publisher, () => kit.usePublish('chat'));
    const gone = chat.publish({ room: 'sent' }, { text: 'on its way' });
    stop();
    await expect(gone).resolves.toBeUndefined(); // the component no longer waits for the answer
    await until(() => room.seen.length === 1, 'the message sent before unmount');
    expect(room.seen.map((m) => m.text)).toEqual(['on its way']);
    expect(chat.error.value).toBeUndefined();
    expect(chat.result.value).toBeUndefined();
    // The client stays usable after the abandoned answer arrives.
    await expect(publisher.publish.chat({ room: 'sent' }, { text: 'after' })).resolves.toMatchObject({
      offset: 2,
    });
    room.stop();
  });
});
