/**
 * The SQLite store: document metadata, the append-only update log and periodic snapshots.
 *
 * Durability: every append is one transaction committed (WAL, `synchronous=FULL` by default)
 * before the caller confirms anything, so a process killed at any point loses no confirmed
 * update. The append is conditional on the stored version, which makes the database itself
 * the authority: two server nodes sharing the file can never both write version N.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DocMeta } from '../contract.js';

/** An update as stored: author and change set JSON text. */
export interface StoredUpdate {
  clientID: string;
  changes: string;
}

/** Options of {@link DocStore}. */
export interface DocStoreOptions {
  /** `FULL` (default) survives power loss; `NORMAL` survives a process crash only. */
  synchronous?: 'FULL' | 'NORMAL';
}

/** What a load returns: the newest snapshot and the updates after it. */
export interface LoadedDoc {
  meta: DocMeta;
  snapshotVersion: number;
  snapshotText: string;
  tail: StoredUpdate[];
}

interface MetaRow {
  id: string;
  title: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS docs (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS updates (
  doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  changes TEXT NOT NULL,
  PRIMARY KEY (doc_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (doc_id, version)
) WITHOUT ROWID;
`;

/**
 * Snapshot text as SQLite keeps it. SQLite TEXT is UTF-8, where a lone surrogate (half of an
 * emoji, left by deleting the other half) would come back as three U+FFFD and the update log
 * would no longer fit the text. Such text is stored as a UTF-16 BLOB instead; well-formed
 * text, nearly always, stays readable TEXT.
 */
const encodeText = (text: string): string | Buffer =>
  /\p{Cs}/u.test(text) ? Buffer.from(text, 'utf16le') : text;
const decodeText = (stored: string | Buffer): string =>
  typeof stored === 'string' ? stored : stored.toString('utf16le');

const toMeta = (row: MetaRow): DocMeta => ({
  id: row.id,
  title: row.title,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Documents, their update logs and snapshots in one SQLite file. */
export class DocStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements;

  constructor(path: string, options: DocStoreOptions = {}) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      list: db.prepare<[], MetaRow>('SELECT * FROM docs ORDER BY updated_at DESC, id'),
      meta: db.prepare<[string], MetaRow>('SELECT * FROM docs WHERE id = ?'),
      version: db.prepare<[string], { version: number }>('SELECT version FROM docs WHERE id = ?'),
      insertDoc: db.prepare(
        'INSERT INTO docs (id, title, version, created_at, updated_at) VALUES (?, ?, 0, ?, ?)',
      ),
      rename: db.prepare('UPDATE docs SET title = ?, updated_at = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM docs WHERE id = ?'),
      bump: db.prepare('UPDATE docs SET version = ?, updated_at = ? WHERE id = ? AND version = ?'),
      insertUpdate: db.prepare(
        'INSERT INTO updates (doc_id, version, client_id, changes) VALUES (?, ?, ?, ?)',
      ),
      updatesAfter: db.prepare<[string, number, number], { client_id: string; changes: string }>(
        'SELECT client_id, changes FROM updates WHERE doc_id = ? AND version > ? ORDER BY version LIMIT ?',
      ),
      latestSnapshot: db.prepare<[string], { version: number; text: string | Buffer }>(
        'SELECT version, text FROM snapshots WHERE doc_id = ? ORDER BY version DESC LIMIT 1',
      ),
      insertSnapshot: db.prepare('INSERT OR REPLACE INTO snapshots (doc_id, version, text) VALUES (?, ?, ?)'),
      pruneSnapshots: db.prepare('DELETE FROM snapshots WHERE doc_id = ? AND version < ?'),
    };
  }

  /** All documents, most recently changed first. */
  listDocs(): DocMeta[] {
    return this.statements.list.all().map(toMeta);
  }

  /** One document's metadata, or undefined. */
  getMeta(id: string): DocMeta | undefined {
    const row = this.statements.meta.get(id);
    return row ? toMeta(row) : undefined;
  }

  /** The stored version of a document, or undefined when it does not exist. */
  version(id: string): number | undefined {
    return this.statements.version.get(id)?.version;
  }

  /** Creates a document; `text` becomes its version-0 snapshot. */
  createDoc(title: string, text = '', now = Date.now()): DocMeta {
    const id = randomBytes(9).toString('base64url');
    this.db.transaction(() => {
      this.statements.insertDoc.run(id, title, now, now);
      this.statements.insertSnapshot.run(id, 0, encodeText(text));
    })();
    return this.getMeta(id)!;
  }

  /** Renames a document; undefined when it does not exist. */
  renameDoc(id: string, title: string, now = Date.now()): DocMeta | undefined {
    const changed = this.statements.rename.run(title, now, id).changes;
    return changed ? this.getMeta(id) : undefined;
  }

  /** Deletes a document with its log and snapshots; false when it did not exist. */
  deleteDoc(id: string): boolean {
    return this.statements.remove.run(id).changes > 0;
  }

  /** The newest snapshot and every update after it. */
  load(id: string): LoadedDoc | undefined {
    return this.db.transaction(() => {
      const meta = this.getMeta(id);
      if (!meta) return undefined;
      const snapshot = this.statements.latestSnapshot.get(id) ?? { version: 0, text: '' };
      const tail = this.updatesAfter(id, snapshot.version, Number.MAX_SAFE_INTEGER);
      return { meta, snapshotVersion: snapshot.version, snapshotText: decodeText(snapshot.text), tail };
    })();
  }

  /** Up to `limit` updates after version `since`, in order. */
  updatesAfter(id: string, since: number, limit: number): StoredUpdate[] {
    return this.statements.updatesAfter
      .all(id, since, limit)
      .map((row) => ({ clientID: row.client_id, changes: row.changes }));
  }

  /**
   * Appends `updates` as versions `base + 1 …` if the document is still at `base`, in one
   * durable transaction. Returns false (and writes nothing) when it is not.
   */
  append(id: string, base: number, updates: readonly StoredUpdate[], now = Date.now()): boolean {
    return this.db.transaction(() => {
      const next = base + updates.length;
      if (this.statements.bump.run(next, now, id, base).changes !== 1) return false;
      updates.forEach((update, i) => {
        this.statements.insertUpdate.run(id, base + 1 + i, update.clientID, update.changes);
      });
      return true;
    })();
  }

  /** Stores the full text at `version` and drops older snapshots. */
  snapshot(id: string, version: number, text: string): void {
    this.db.transaction(() => {
      if (this.statements.version.get(id) === undefined) return;
      this.statements.insertSnapshot.run(id, version, encodeText(text));
      this.statements.pruneSnapshots.run(id, version);
    })();
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
