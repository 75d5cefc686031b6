/**
 * Live-docs servers for tests: in-process for one test file (its own SQLite file in a temp
 * directory, an ephemeral port, and a Node client of it), or as a child process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SockkitClient } from '@sockkit/client/node';
import { type Child, startNode } from '@sockkit/testing';
import { afterAll, beforeAll } from 'vitest';
import type { LiveDocsContract } from '../src/contract.js';
import { type LiveDocs, type LiveDocsOptions, startLiveDocs } from '../src/server/app.js';
import { silentLog } from '../src/server/log.js';
import { connectAs } from './people.js';

/** What the tests use; set once `beforeAll` ran. */
export interface LiveDocsFixture {
  app: LiveDocs;
  /** `ws://127.0.0.1:<port>/ws`. */
  url: string;
  /** A client as test person `tester`, with `offline: 'reject'`. */
  client: SockkitClient<LiveDocsContract>;
}

export function useLiveDocs(name: string, options: Partial<LiveDocsOptions> = {}): LiveDocsFixture {
  const dir = mkdtempSync(join(tmpdir(), `live-docs-${name}-`));
  const fixture = {} as LiveDocsFixture;
  beforeAll(async () => {
    fixture.app = await startLiveDocs({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'db.sqlite'),
      log: silentLog,
      ...options,
    });
    fixture.url = `ws://127.0.0.1:${fixture.app.port}/ws`;
    fixture.client = connectAs(fixture.url, 'tester');
    await fixture.client.ready();
  });
  afterAll(async () => {
    await fixture.client?.close();
    await fixture.app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}

/** A live-docs server run as `npm start` runs it (a child process, tsx), and its socket URL. */
export interface LiveDocsProcess {
  child: Child;
  url: string;
}

/**
 * Starts `src/server/main.ts` on an ephemeral port with the SQLite file `dbPath`. Without
 * `env.REDIS_URL` it runs the embedded default (in-process broker) even when the test
 * process has REDIS_URL set, as CI does for the Redis suites.
 */
export async function spawnLiveDocs(dbPath: string, env: NodeJS.ProcessEnv = {}): Promise<LiveDocsProcess> {
  const child = await startNode(
    ['--import', 'tsx', 'src/server/main.ts'],
    /ready at http:\/\/localhost:(\d+)/,
    {
      cwd: join(import.meta.dirname, '..'),
      env: { PORT: '0', HOST: '127.0.0.1', LIVE_DOCS_DB: dbPath, LIVE_DOCS_DEV: '', REDIS_URL: '', ...env },
      timeoutMs: 30_000,
    },
  );
  return { child, url: `ws://127.0.0.1:${child.ready[1]}/ws` };
}
