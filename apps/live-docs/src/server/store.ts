/**
 * The SQLite store: documents, the append-only update log (with each update's author and
 * time) and snapshots.
 *
 * Durability: every append is one transaction committed (WAL, `synchronous=FULL` by default)
 * before the caller confirms anything, so a process killed at any point loses no confirmed
 * update. The append is conditional on the stored version, which makes the database itself
 * the authority: two server nodes sharing the file can never both write version N.
 *
 * Snapshots are kept, not replaced: any earlier version is then the nearest snapshot at or
 * before it plus at most one snapshot interval of updates (see `history.ts`).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DocMeta } from '../contract.js';
import { AccessStore } from './access-store.js';
import { migrate } from './schema.js';

/** An update as stored: the collab client id and change set JSON text. */
export interface StoredUpdate {
  clientID: string;
  changes: string;
}

/** Who made the updates of one append, and why. */
export interface AppendInfo {
  /** The user key of the person who made them. */
  author?: string;
  /** For a restore: the version it brings back. */
  restoredFrom?: number;
  /** Epoch ms; default now. */
  now?: number;
}

/** An update's place in history, without its change set. */
export interface UpdateRecord {
  version: number;
  clientID: string;
  author: string | null;
  at: number | null;
  restoredFrom: number | null;
}

/** Options of {@link DocStore}. */
export interface DocStoreOptions {
  /** `FULL` (default) survives power loss; `NORMAL` survives a process crash only. */
  synchronous?: 'FULL' | 'NORMAL';
}

/** What a load returns: the newest snapshot and the updates after it. */
export interface LoadedDoc {
  snapshotVersion: number;
  snapshotText: string;
  tail: StoredUpdate[];
}

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

/** Documents, their update logs and snapshots in one SQLite file. */
export class DocStore {
  readonly path: string;
  /** Owners, members, share links and people's names. */
  readonly access: AccessStore;
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
    migrate(this.db);
    this.access = new AccessStore(this.db);
    const db = this.db;
    this.statements = {
      version: db.prepare<[string], { version: number }>('SELECT version FROM docs WHERE id = ?'),
      created: db.prepare<[string], { created_at: number; owner: string | null }>(
        'SELECT created_at, owner FROM docs WHERE id = ?',
      ),
      insertDoc: db.prepare(
        'INSERT INTO docs (id, title, version, created_at, updated_at, owner) VALUES (?, ?, 0, ?, ?, ?)',
      ),
      rename: db.prepare('UPDATE docs SET title = ?, updated_at = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM docs WHERE id = ?'),
      bump: db.prepare('UPDATE docs SET version = ?, updated_at = ? WHERE id = ? AND version = ?'),
      insertUpdate: db.prepare(
        'INSERT INTO updates (doc_id, version, client_id, changes, author, at, restored_from) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      updatesAfter: db.prepare<[string, number, number], { client_id: string; changes: string }>(
        'SELECT client_id, changes FROM updates WHERE doc_id = ? AND version > ? ORDER BY version LIMIT ?',
      ),
      records: db.prepare<
        [string, number, number, number],
        {
          version: number;
          client_id: string;
          author: string | null;
          at: number | null;
          restored_from: number | null;
        }
      >(
        'SELECT version, client_id, author, at, restored_from FROM updates WHERE doc_id = ? AND version <= ? AND version > ? ORDER BY version DESC LIMIT ?',
      ),
      snapshotAt: db.prepare<[string, number], { version: number; text: string | Buffer }>(
        'SELECT version, text FROM snapshots WHERE doc_id = ? AND version <= ? ORDER BY version DESC LIMIT 1',
      ),
      oldestSnapshot: db.prepare<[string], { version: number }>(
        'SELECT version FROM snapshots WHERE doc_id = ? ORDER BY version LIMIT 1',
      ),
      insertSnapshot: db.prepare('INSERT OR REPLACE INTO snapshots (doc_id, version, text) VALUES (?, ?, ?)'),
    };
  }

  /** When a document was created and by whom (null: no owner); undefined when it does not exist. */
  created(id: string): { at: number; owner: string | null } | undefined {
    const row = this.statements.created.get(id);
    return row ? { at: row.created_at, owner: row.owner } : undefined;
  }

  /** The stored version of a document, or undefined when it does not exist. */
  version(id: string): number | undefined {
    return this.statements.version.get(id)?.version;
  }

  /**
   * Creates a document owned by `options.owner` (a user key; without one it has no owner and
   * is open to everyone, like documents from before owners existed); `text` becomes its
   * version-0 snapshot. Returns the metadata as the owner sees it.
   */
  createDoc(title: string, text = '', options: { owner?: string; now?: number } = {}): DocMeta {
    const id = randomBytes(9).toString('base64url');
    const now = options.now ?? Date.now();
    this.db.transaction(() => {
      this.statements.insertDoc.run(id, title, now, now, options.owner ?? null);
      this.statements.insertSnapshot.run(id, 0, encodeText(text));
    })();
    return this.access.meta(id, options.owner ?? '')!;
  }

  /** Renames a document; false when it does not exist. */
  renameDoc(id: string, title: string, now = Date.now()): boolean {
    return this.statements.rename.run(title, now, id).changes > 0;
  }

  /** Deletes a document with its log and snapshots; false when it did not exist. */
  deleteDoc(id: string): boolean {
    return this.statements.remove.run(id).changes > 0;
  }

  /** The newest snapshot and every update after it. */
  load(id: string): LoadedDoc | undefined {
    return this.db.transaction(() => {
      const version = this.version(id);
      if (version === undefined) return undefined;
      return this.loadAt(id, version);
    })();
  }

  /**
   * The nearest snapshot at or before `version` and the updates from it up to `version`;
   * undefined when the document does not exist or no snapshot reaches back that far.
   */
  loadAt(id: string, version: number): LoadedDoc | undefined {
    return this.db.transaction(() => {
      const snapshot = this.statements.snapshotAt.get(id, version);
      if (!snapshot) return undefined;
      const tail = this.updatesAfter(id, snapshot.version, version - snapshot.version);
      return { snapshotVersion: snapshot.version, snapshotText: decodeText(snapshot.text), tail };
    })();
  }

  /** The oldest version a snapshot reaches back to (0 unless the file predates kept snapshots). */
  oldestVersion(id: string): number | undefined {
    return this.statements.oldestSnapshot.get(id)?.version;
  }

  /** Up to `limit` update records with `after < version <= upTo`, newest first. */
  records(id: string, upTo: number, after: number, limit: number): UpdateRecord[] {
    return this.statements.records.all(id, upTo, after, limit).map((row) => ({
      version: row.version,
      clientID: row.client_id,
      author: row.author,
      at: row.at,
      restoredFrom: row.restored_from,
    }));
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
  append(id: string, base: number, updates: readonly StoredUpdate[], info: AppendInfo = {}): boolean {
    const now = info.now ?? Date.now();
    return this.db.transaction(() => {
      const next = base + updates.length;
      if (this.statements.bump.run(next, now, id, base).changes !== 1) return false;
      updates.forEach((update, i) => {
        this.statements.insertUpdate.run(
          id,
          base + 1 + i,
          update.clientID,
          update.changes,
          info.author ?? null,
          now,
          info.restoredFrom ?? null,
        );
      });
      return true;
    })();
  }

  /** Stores the full text at `version` (earlier snapshots stay: history reads from them). */
  snapshot(id: string, version: number, text: string): void {
    this.db.transaction(() => {
      if (this.statements.version.get(id) === undefined) return;
      this.statements.insertSnapshot.run(id, version, encodeText(text));
    })();
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
