/**
 * The guide's chat on one node, end to end: the built server as a child process, clients as
 * the page makes them, each feature the guide promises checked where users meet it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatNode, chatClient, login, rawClient, startChat } from './chat.js';

let node: ChatNode;
beforeAll(async () => {
  node = await startChat();
});
afterAll(async () => {
  await node?.child.stop();
});

describe('the page and the login', () => {
  it('serves the page Vite built, and nothing outside it', async () => {
    const page = await fetch(`${node.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<div id="app"></div>');
    const script = /src="(\/assets\/[\w.-]+\.js)"/.exec(html)?.[1];
    expect((await fetch(`${node.url}${script}`)).headers.get('content-type')).toBe('text/javascript');
    expect((await fetch(`${node.url}/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${node.url}/nothing.js`)).status).toBe(404);
  });

  it('hands out tokens for a name of 1 to 32 characters, and refuses anything else', async () => {
    const post = (body: string) => fetch(`${node.url}/login`, { method: 'POST', body });
    expect((await post(JSON.stringify({ name: 'ada' }))).status).toBe(200);
    expect((await post(JSON.stringify({ name: 'x'.repeat(32) }))).status).toBe(200);
    expect((await post(JSON.stringify({ name: 'x'.repeat(33) }))).status).toBe(400);
    expect((await post(JSON.stringify({ name: '  ' }))).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect((await post('x'.repeat(2000))).status).toBe(413);
  });
});

describe('auth', () => {
  it('refuses a forged or missing token: 4001, UNAUTHORIZED, and the client stops', async () => {
    const real = await login(node, 'mallory');
    const [claims] = real.split('.');
    const admin = Buffer.from(JSON.stringify({ name: 'mallory', admin: true })).toString('base64url');
    for (const token of [`${admin}.${real.split('.')[1]}`, `${claims}.`, 'nonsense', '']) {
      await using client = chatClient(node, token);
      await expect.poll(() => client.state).toBe('closed');
      expect(client.errors.map((e) => [e.code, e.details?.closeCode, e.message])).toEqual([
        ['UNAUTHORIZED', 4001, 'invalid token: log in again'],
      ]);
      expect(client.states).not.toContain('reconnecting');
    }
  });

  it('types ctx.auth from the token: me answers with its claims', async () => {
    await using ada = chatClient(node, await login(node, 'ada'));
    await using admin = chatClient(node, await login(node, 'admin'));
    expect(await ada.call.me()).toEqual({ name: 'ada', admin: false });
    expect(await admin.call.me()).toEqual({ name: 'admin', admin: true });
  });
});

describe('messages', () => {
  it('are stamped with the author from the token, whatever the page sends', async () => {
    await using ada = chatClient(node, await login(node, 'ada'));
    await using bob = chatClient(node, await login(node, 'bob'));
    const got: { text: string; author: string; at: Date }[] = [];
    await bob.subscribe.room({ room: 'stamp' }, (message) => got.push(message)).ready;
    const before = Date.now();
    await ada.publish.room({ room: 'stamp' }, { text: ' hi bob ' });
    // A page that tries to name the author itself: the field is dropped, the token decides.
    await ada.publish.room({ room: 'stamp' }, { text: 'it was me', author: 'bob' } as { text: string });
    await expect.poll(() => got.length).toBe(2);
    expect(got.map(({ text, author }) => ({ text, author }))).toEqual([
      { text: 'hi bob', author: 'ada' },
      { text: 'it was me', author: 'ada' },
    ]);
    expect(got[0]!.at).toBeInstanceOf(Date);
    expect(got[0]!.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    await expect(ada.publish.room({ room: 'stamp' }, { text: '   ' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(ada.publish.room({ room: 'Not A Room' }, { text: 'x' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('the last 50 arrive on join, before live ones, each once: counted on the wire', async () => {
    const ada = chatClient(node, await login(node, 'ada'));
    for (let i = 1; i <= 60; i++) await ada.publish.room({ room: 'history' }, { text: `m${i}` });
    await ada.close();
    await using raw = await rawClient(node, await login(node, 'bob'));
    raw.send({ t: 'sub', id: 1, topic: 'room', params: { room: 'history' }, last: 50 });
    await expect.poll(() => raw.frames.filter((f) => f.t === 'msg').length).toBe(50);
    await using carol = chatClient(node, await login(node, 'carol'));
    await carol.publish.room({ room: 'history' }, { text: 'live' });
    await expect.poll(() => raw.frames.filter((f) => f.t === 'msg').length).toBe(51);
    const messages = raw.frames.filter((f) => f.t === 'msg');
    expect(messages.map((f) => f.o)).toEqual(Array.from({ length: 51 }, (_, i) => 11 + i));
    expect(messages.map((f) => (f.d as { text: string }).text)).toEqual([
      ...Array.from({ length: 50 }, (_, i) => `m${11 + i}`),
      'live',
    ]);
    // And through the client, as the page asks for it.
    const seen: string[] = [];
    await carol.subscribe.room({ room: 'history' }, (m) => seen.push(m.text), { history: 50 }).ready;
    await expect.poll(() => seen.length).toBe(50);
    expect(seen.at(0)).toBe('m12');
    expect(seen.at(-1)).toBe('live');
  });
});

describe('presence', () => {
  it('shows who is here under the name from their token, and who is typing', async () => {
    await using ada = chatClient(node, await login(node, 'ada'));
    await using bob = chatClient(node, await login(node, 'bob'));
    const room = ada.subscribe.room({ room: 'presence' }, undefined, {
      presence: { name: 'ada', typing: false },
    });
    await room.ready;
    const bobs = bob.subscribe.room({ room: 'presence' }, undefined, {
      presence: { name: 'the queen', typing: false },
    });
    await bobs.ready;
    const states = () => [...room.presence.values()].map((m) => ({ user: m.user, ...m.state }));
    await expect.poll(states).toEqual([
      { user: 'ada', name: 'ada', typing: false },
      { user: 'bob', name: 'bob', typing: false },
    ]);
    await bobs.setPresence({ name: 'the queen', typing: true });
    await expect.poll(states).toContainEqual({ user: 'bob', name: 'bob', typing: true });
    await bob.close();
    await expect.poll(states).toEqual([{ user: 'ada', name: 'ada', typing: false }]);
  });
});

describe('kick', () => {
  it('is for admins only', async () => {
    await using bob = chatClient(node, await login(node, 'bob'));
    await expect(bob.call.kick({ name: 'ada', reason: 'no' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it("closes every connection of the user with 4006 and the admin's reason; they stop", async () => {
    await using admin = chatClient(node, await login(node, 'admin'));
    const bobToken = await login(node, 'bob');
    await using tab1 = chatClient(node, bobToken);
    await using tab2 = chatClient(node, bobToken);
    await using raw = await rawClient(node, bobToken);
    await using carol = chatClient(node, await login(node, 'carol'));
    await Promise.all([tab1.ready(), tab2.ready(), carol.ready()]);
    expect(await admin.call.kick({ name: 'bob', reason: 'be nice' })).toEqual({ closed: 3 });
    expect(await raw.closed).toEqual({ code: 4006, reason: 'kicked by admin: be nice' });
    for (const tab of [tab1, tab2]) {
      await expect.poll(() => tab.state).toBe('closed');
      expect(tab.errors.map((e) => [e.code, e.details?.closeCode, e.message])).toEqual([
        ['FORBIDDEN', 4006, 'kicked by admin: be nice'],
      ]);
    }
    expect(carol.state).toBe('open');
    expect(await admin.call.kick({ name: 'nobody', reason: 'x' })).toEqual({ closed: 0 });
  });
});

describe('shutdown', () => {
  it('on SIGTERM closes every connection with 1012, clients start reconnecting, the process exits 0', async () => {
    await using own = await startChat();
    await using raw = await rawClient(own, await login(own, 'ada'));
    await using client = chatClient(own, await login(own, 'bob'));
    await client.ready();
    const exited = new Promise((resolve) => own.child.process.once('exit', (code) => resolve(code)));
    own.child.process.kill('SIGTERM');
    expect(await raw.closed).toEqual({ code: 1012, reason: 'server restart' });
    await expect.poll(() => client.states).toContain('reconnecting');
    expect(await exited).toBe(0);
    expect(own.child.output()).toContain('SIGTERM: shutting down');
    expect(client.errors).toEqual([]);
  });
});
