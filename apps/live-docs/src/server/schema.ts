/**
 * The SQLite schema, and the steps that bring a database from an earlier version of the app
 * up to it. Every step is idempotent and runs at open, so an old file keeps its documents:
 * they get no owner (open to everyone, see `access.ts`) and their updates no author.
 */
import type Database from 'better-sqlite3';

const TABLES = `
CREATE TABLE IF NOT EXISTS docs (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  owner TEXT
);
CREATE TABLE IF NOT EXISTS updates (
  doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  changes TEXT NOT NULL,
  author TEXT,
  at INTEGER,
  restored_from INTEGER,
  PRIMARY KEY (doc_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (doc_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (
  doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE,
  user TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('editor', 'viewer')),
  since INTEGER NOT NULL,
  PRIMARY KEY (doc_id, user)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_user ON members (user);
CREATE TABLE IF NOT EXISTS links (
  doc_id TEXT NOT NULL REFERENCES docs(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('editor', 'viewer')),
  token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (doc_id, role)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS people (
  user TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Columns added since the first release, by table. */
const ADDED: Record<string, [column: string, type: string][]> = {
  docs: [['owner', 'TEXT']],
  updates: [
    ['author', 'TEXT'],
    ['at', 'INTEGER'],
    ['restored_from', 'INTEGER'],
  ],
};

/** Creates what is missing. */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec(TABLES);
    for (const [table, columns] of Object.entries(ADDED)) {
      const info = db.pragma(`table_info(${table})`) as { name: string }[];
      const have = new Set(info.map((c) => c.name));
      for (const [column, type] of columns) {
        if (!have.has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
    }
    db.exec('CREATE INDEX IF NOT EXISTS docs_by_owner ON docs (owner)');
  })();
}
