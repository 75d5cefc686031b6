/**
 * The end-to-end suites' shared setup: Chromium found (or a loud skip), the web app built
 * once per file into a temp directory, and a live-docs server on an ephemeral port that a
 * test can stop and start again on the same port and database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeSet } from '@codemirror/state';
import { findChromium } from '@sockkit/testing';
import { afterAll, beforeAll } from 'vitest';
import type { WireUpdate } from '../src/contract.js';
import { type LiveDocs, type LiveDocsOptions, startLiveDocs } from '../src/server/app.js';
import { CollabAuthority } from '../src/server/authority.js';
import { silentLog } from '../src/server/log.js';
import { DocStore } from '../src/server/store.js';
import { buildWeb } from './browser.js';

/** Debian's Chromium, or undefined (the suites skip, or fail under SOCKKIT_REQUIRE_ALL=1). */
export const chromiumPath = findChromium();

/** Where screenshots and figures go (gitignored). */
export const artifacts = join(import.meta.dirname, '../test-artifacts');

/** A change set inserting `text` at `at` into a document of `length`, in wire form. */
export const insert = (length: number, at: number, text: string) =>
  ChangeSet.of({ from: at, insert: text }, length).toJSON() as WireUpdate['changes'];

/** A running app for one test file. */
export class E2EServer {
  app!: LiveDocs;
  port = 0;
  readonly dir = mkdtempSync(join(tmpdir(), 'live-docs-e2e-'));
  webRoot = '';

  /** Builds the web app and starts the server. */
  async setup(): Promise<void> {
    this.webRoot = await buildWeb();
    await this.start(0);
    this.port = this.app.port;
  }

  /** `http://127.0.0.1:<port>`. */
  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on `port` with the same database. */
  async start(port = this.port): Promise<LiveDocs> {
    this.app = await startLiveDocs(this.options({ port }));
    return this.app;
  }

  /** Another server on its own database and port, e.g. with other limits. */
  startOther(name: string, extra: Partial<LiveDocsOptions>): Promise<LiveDocs> {
    return startLiveDocs({
      ...this.options({ port: 0 }),
      dbPath: join(this.dir, `${name}.sqlite`),
      ...extra,
    });
  }

  /**
   * Document `id` as the database file holds it, read through a connection of its own (not
   * the server's cache): the newest snapshot with the update log after it.
   */
  storedText(id: string): string {
    const store = new DocStore(this.app.store.path);
    try {
      return new CollabAuthority(store).open(id).text;
    } finally {
      store.close();
    }
  }

  async teardown(): Promise<void> {
    await this.app?.close();
    rmSync(this.dir, { recursive: true, force: true });
    if (this.webRoot) rmSync(this.webRoot, { recursive: true, force: true });
  }

  private options(extra: { port: number }): LiveDocsOptions {
    return {
      port: extra.port,
      host: '127.0.0.1',
      dbPath: join(this.dir, 'db.sqlite'),
      webRoot: this.webRoot,
      log: silentLog,
    };
  }
}

/**
 * The E2EServer of a test file: set up before its tests (when there is a Chromium to test
 * with) and torn down after them.
 */
export function useE2EServer(): E2EServer {
  const server = new E2EServer();
  beforeAll(async () => {
    if (chromiumPath) await server.setup();
  }, 120_000);
  afterAll(() => server.teardown());
  return server;
}
