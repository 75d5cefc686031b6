/**
 * 20 editors on one 1 MB document over real sockets, typing concurrently at random places,
 * with the server restarted from its SQLite file halfway through. All copies must converge
 * to the server's text. The figures (open time, push round trips, time to converge) are
 * printed and written to test-artifacts/load-figures.json; nothing here asserts on time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type LiveDocs, startLiveDocs } from '../src/server/app.js';
import { silentLog } from '../src/server/log.js';
import { SocketEditor, until } from './socket-editor.js';

const EDITORS = 20;
const EDITS_EACH = 40;
const DOC_BYTES = 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'live-docs-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bigMarkdown(bytes: number): string {
  const block =
    '## Section\n\nLorem ipsum dolor sit amet, *consectetur* adipiscing elit, sed do eiusmod.\n\n';
  return block.repeat(Math.ceil(bytes / block.length)).slice(0, bytes);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const round = (n: number) => Math.round(n * 10) / 10;

it(`${EDITORS} editors on a 1 MB document converge across a server restart`, async () => {
  const dbPath = join(dir, 'db.sqlite');
  let app: LiveDocs = await startLiveDocs({ port: 0, host: '127.0.0.1', dbPath, log: silentLog });
  const port = app.port;
  const url = `ws://127.0.0.1:${port}/ws`;
  const { id } = app.store.createDoc('big', bigMarkdown(DOC_BYTES));

  const openStart = performance.now();
  const editors: SocketEditor[] = [];
  try {
    for (let i = 0; i < EDITORS; i++) editors.push(await SocketEditor.open(url, id, `editor-${i}`));
    const openMs = (performance.now() - openStart) / EDITORS;

    const random = seededRandom(7);
    const typeBurst = async (from: number, to: number) => {
      await Promise.all(
        editors.map(async (editor) => {
          for (let n = from; n < to; n++) {
            const roll = random();
            editor.edit(random(), roll < 0.2 ? 3 : 0, roll < 0.9 ? 'x' : 'new line\n');
            await new Promise((resolve) => setTimeout(resolve, 5 + random() * 20));
          }
        }),
      );
    };

    const editStart = performance.now();
    await typeBurst(0, EDITS_EACH / 2);
    await app.close(); // restart: clients see 1012, reconnect, resubscribe (new epoch) and resync
    app = await startLiveDocs({ port, host: '127.0.0.1', dbPath, log: silentLog });
    await typeBurst(EDITS_EACH / 2, EDITS_EACH);
    const typedMs = performance.now() - editStart;
    await until(
      () =>
        editors.every(
          (e) => e.sync.unconfirmed === 0 && e.sync.status === 'saved' && e.text === editors[0]!.text,
        ),
      'all editors confirmed and identical',
      120_000,
    );
    const convergeMs = performance.now() - editStart - typedMs;
    const server = app.authority.open(id);
    for (const editor of editors) {
      expect(editor.fatal).toEqual([]);
      expect(editor.text === server.text).toBe(true);
    }
    const pushes = editors.flatMap((e) => e.pushTimes);
    const figures = {
      editors: EDITORS,
      documentBytes: DOC_BYTES,
      editsTyped: EDITORS * EDITS_EACH,
      finalVersion: server.version,
      finalLength: server.text.length,
      openDocMsAverage: round(openMs),
      pushes: pushes.length,
      pushRoundTripMs: {
        p50: round(percentile(pushes, 50)),
        p95: round(percentile(pushes, 95)),
        max: round(Math.max(...pushes)),
      },
      typingPhaseMs: Math.round(typedMs),
      convergeAfterLastKeystrokeMs: Math.round(convergeMs),
    };
    console.log('live-docs load figures', JSON.stringify(figures, null, 2));
    mkdirSync(join(import.meta.dirname, '../test-artifacts'), { recursive: true });
    writeFileSync(
      join(import.meta.dirname, '../test-artifacts/load-figures.json'),
      `${JSON.stringify(figures, null, 2)}\n`,
    );
    expect(server.version).toBeGreaterThan(0);
  } finally {
    await Promise.all(editors.map((e) => e.close()));
    await app.close();
  }
}, 180_000);
