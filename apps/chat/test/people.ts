/**
 * Test people and servers: each name has its own identity token (the secret a page keeps in
 * localStorage), so its own user key; `chatForFile` runs a chat server on a fresh SQLite file for
 * one test file.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSockkitClient, type SockkitClient } from '@sockkit/client/node';
import { silentLogger } from '@sockkit/server';
import { afterAll, beforeAll } from 'vitest';
import { type ChatContract, contract } from '../src/contract.js';
import { type Chat, type ChatOptions, startChat } from '../src/server/app.js';
import { userKeyOf } from '../src/server/identity.js';

/** A test person's identity token, shaped like a page's (48 hex digits). */
export const tokenOf = (name: string) =>
  createHash('sha256').update(`chat test ${name}`).digest('hex').slice(0, 48);
/** The user key the server derives for test person `name`. */
export const userOf = (name: string) => userKeyOf(tokenOf(name));

/** A Node client connected as `name`. */
export function connectAs(
  url: string,
  name: string,
  options: { offline?: 'queue' | 'reject' } = {},
): SockkitClient<ChatContract> {
  return createSockkitClient({
    url: `${url.replace(/^http/, 'ws')}/ws`,
    contract,
    params: () => ({ token: tokenOf(name), name }),
    offline: options.offline ?? 'queue',
  });
}

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `chat-${label}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A chat server on 127.0.0.1 for the test file, with its clients closed after it. */
export function chatForFile(label: string, options: Partial<ChatOptions> = {}) {
  const dir = tempDir(label);
  const clients: SockkitClient<ChatContract>[] = [];
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'chat.sqlite'),
      logger: silentLogger,
      ...options,
    });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await chat?.close();
  });
  return {
    get chat() {
      return chat;
    },
    /** A client as `name`, closed after the file. */
    as(name: string, clientOptions: { offline?: 'queue' | 'reject' } = {}) {
      const client = connectAs(chat.url, name, clientOptions);
      clients.push(client);
      return client;
    },
  };
}
