/** The chat server as a child process (`src/server/main.ts` under tsx), for multi-node and crash tests. */
import { join } from 'node:path';
import { type Child, startNode } from '@sockkit/testing';

export interface ChatProcess {
  child: Child;
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
}

/** Starts `npm run start:chat`'s server on `dbPath` (port 0 unless `PORT` is in `env`). */
export async function spawnChat(dbPath: string, env: NodeJS.ProcessEnv = {}): Promise<ChatProcess> {
  const child = await startNode(
    ['--import', 'tsx', 'src/server/main.ts'],
    /ready at http:\/\/localhost:(\d+)/,
    {
      cwd: join(import.meta.dirname, '..'),
      env: { PORT: '0', HOST: '127.0.0.1', CHAT_DB: dbPath, CHAT_DEV: '', REDIS_URL: '', ...env },
      timeoutMs: 30_000,
    },
  );
  const port = Number(child.ready[1]);
  return { child, url: `http://127.0.0.1:${port}`, port };
}
