/**
 * Origins with a Vite dev server, as the guide explains them: the page comes from Vite on its
 * own port, so its socket carries Vite's Origin. Through the proxy in vite.config.ts the
 * server's default same-origin check passes; straight to the server it is refused with 4005
 * unless ALLOWED_ORIGINS names Vite's origin.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChatNode, chatClient, login, startChat } from './chat.js';

let node: ChatNode;
let vite: import('vite').ViteDevServer;
let viteOrigin: string;

beforeAll(async () => {
  node = await startChat();
  process.env.CHAT_SERVER = node.url; // read by vite.config.ts
  const { createServer } = await import('vite');
  vite = await createServer({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    server: { host: '127.0.0.1', port: 0, hmr: false },
    logLevel: 'silent',
  });
  await vite.listen();
  viteOrigin = `http://127.0.0.1:${(vite.httpServer!.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await vite?.close();
  await node?.child.stop();
  delete process.env.CHAT_SERVER;
});

it('Vite serves the page and proxies /login and /ws: same origin, accepted', async () => {
  expect(await (await fetch(`${viteOrigin}/`)).text()).toContain('<div id="app"></div>');
  const token = await login({ url: viteOrigin }, 'ada');
  await using client = chatClient(node, token, {
    origin: viteOrigin,
    url: `${viteOrigin.replace('http', 'ws')}/ws`,
  });
  expect(await client.call.me()).toEqual({ name: 'ada', admin: false });
  expect(client.errors).toEqual([]);
});

it("straight to the server, Vite's origin is refused: 4005, FORBIDDEN, and the client stops", async () => {
  await using client = chatClient(node, await login(node, 'ada'), { origin: viteOrigin });
  await expect.poll(() => client.state).toBe('closed');
  expect(client.errors.map((e) => [e.code, e.details?.closeCode, e.message])).toEqual([
    ['FORBIDDEN', 4005, `origin not allowed by the server's allowedOrigins: ${viteOrigin}`],
  ]);
});

it('straight to a server whose ALLOWED_ORIGINS names it, accepted', async () => {
  await using open = await startChat({ ALLOWED_ORIGINS: `https://chat.example,${viteOrigin}` });
  await using client = chatClient(open, await login(open, 'ada'), { origin: viteOrigin });
  expect(await client.call.me()).toEqual({ name: 'ada', admin: false });
  await using other = chatClient(open, await login(open, 'ada'), { origin: 'http://127.0.0.1:1' });
  await expect.poll(() => other.errors.map((e) => e.details?.closeCode)).toEqual([4005]);
});
