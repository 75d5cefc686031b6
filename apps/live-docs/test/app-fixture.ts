/**
 * A live-docs server for one test file: its own SQLite file in a temp directory, an
 * ephemeral port, and a Node client of it; started before the file's tests, closed after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSockkitClient, type SockkitClient } from '@sockkit/client/node';
import { afterAll, beforeAll } from 'vitest';
import { contract, type LiveDocsContract } from '../src/contract.js';
import { type LiveDocs, type LiveDocsOptions, startLiveDocs } from '../src/server/app.js';
import { silentLog } from '../src/server/log.js';

/** What the tests use; set once `beforeAll` ran. */
export interface LiveDocsFixture {
  app: LiveDocs;
  /** `ws://127.0.0.1:<port>/ws`. */
  url: string;
  /** A client as user `tester`, with `offline: 'reject'`. */
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
    fixture.client = createSockkitClient({
      url: fixture.url,
      contract,
      params: () => ({ user: 'tester' }),
      offline: 'reject',
    });
    await fixture.client.ready();
  });
  afterAll(async () => {
    await fixture.client?.close();
    await fixture.app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}
