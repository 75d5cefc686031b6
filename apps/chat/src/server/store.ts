/**
 * The SQLite store: rooms, messages and how far each person has read.
 *
 * Durability: every change is one transaction committed (WAL, `synchronous=FULL` by default)
 * before the caller replies or publishes, so a process killed at any point loses no message
 * anyone was told about. Each change takes its room's next `rev` inside that transaction
 * (`BEGIN IMMEDIATE`), so two nodes sharing the file never hand out the same one.
 * A send is stored under (author, key): the same key again finds the first message.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ChatMessage, Room, RoomEntry } from '../contract.js';

/** Options of {@link ChatStore}. */
export interface ChatStoreOptions {
  /** `FULL` (default) survives power loss; `NORMAL` survives a process crash only. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Epoch ms for new rows. Default `Date.now`. */
  now?: () => number;
}

interface MessageRow {
  id: number;
  room: string;
  rev: number;
  author: string;
  author_name: string;
  text: string;
  at: number;
  edited_at: number | null;
  deleted: number;
  key: string;
}

interface RoomRow {
  id: string;
  name: string;
  created_at: number;
  last_id: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rooms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  rev INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room TEXT NOT NULL REFERENCES rooms(id),
  rev INTEGER NOT NULL,
  author TEXT NOT NULL,
  author_name TEXT NOT NULL,
  key TEXT NOT NULL,
  text TEXT NOT NULL,
  at INTEGER NOT NULL,
  edited_at INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0,
  UNIQUE (author, key)
);
CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room, id);
CREATE INDEX IF NOT EXISTS messages_by_rev ON messages (room, rev);
CREATE TABLE IF NOT EXISTS reads (
  user TEXT NOT NULL,
  room TEXT NOT NULL,
  last_read INTEGER NOT NULL,
  PRIMARY KEY (user, room)
);
`;

const ROOM_COLUMNS =
  'r.id, r.name, r.created_at, (SELECT max(id) FROM messages WHERE room = r.id) AS last_id';
const UNREAD = `(SELECT count(*) FROM messages m WHERE m.room = r.id AND m.deleted = 0 AND m.author != @user
  AND m.id > coalesce((SELECT last_read FROM reads WHERE user = @user AND room = r.id), 0)) AS unread`;

const toRoom = (row: RoomRow): Room => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastId: row.last_id ?? 0,
});

const toMessage = (row: MessageRow): ChatMessage => ({
  id: row.id,
  room: row.room,
  rev: row.rev,
  author: { user: row.author, name: row.author_name },
  text: row.text,
  at: row.at,
  editedAt: row.edited_at,
  deleted: row.deleted === 1,
  key: row.key,
});

/** What a send found: the message, and whether this call stored it. */
export interface SendResult {
  message: ChatMessage;
  created: boolean;
}

/** Rooms, messages and read markers in one SQLite file. */
export class ChatStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly sql;

  constructor(path: string, options: ChatStoreOptions = {}) {
    this.path = path;
    this.now = options.now ?? Date.now;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // Two nodes on one file: wait for the other's write instead of failing with SQLITE_BUSY.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.sql = {
      rooms: db.prepare<{ user: string }, RoomRow & { unread: number }>(
        `SELECT ${ROOM_COLUMNS}, ${UNREAD} FROM rooms r ORDER BY r.created_at, r.id`,
      ),
      room: db.prepare<{ user: string; room: string }, RoomRow & { unread: number }>(
        `SELECT ${ROOM_COLUMNS}, ${UNREAD} FROM rooms r WHERE r.id = @room`,
      ),
      hasRoom: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM rooms WHERE id = ?'),
      roomCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM rooms'),
      insertRoom: db.prepare(
        'INSERT INTO rooms (id, name, created_by, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      nextRev: db.prepare<[string], { rev: number }>(
        'UPDATE rooms SET rev = rev + 1 WHERE id = ? RETURNING rev',
      ),
      roomRev: db.prepare<[string], { rev: number }>('SELECT rev FROM rooms WHERE id = ?'),
      byKey: db.prepare<[string, string], MessageRow>('SELECT * FROM messages WHERE author = ? AND key = ?'),
      byId: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?'),
      insert: db.prepare<[string, number, string, string, string, string, number], MessageRow>(
        `INSERT INTO messages (room, rev, author, author_name, key, text, at) VALUES (?, ?, ?, ?, ?, ?, ?)
         RETURNING *`,
      ),
      update: db.prepare<[number, string, number | null, number, number], MessageRow>(
        'UPDATE messages SET rev = ?, text = ?, edited_at = ?, deleted = ? WHERE id = ? RETURNING *',
      ),
      before: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      since: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND rev > ? ORDER BY rev LIMIT ?',
      ),
      markRead: db.prepare(
        `INSERT INTO reads (user, room, last_read) VALUES (?, ?, ?)
         ON CONFLICT (user, room) DO UPDATE SET last_read = max(last_read, excluded.last_read)`,
      ),
    };
  }

  /** Every room with `user`'s unread counts, oldest first. */
  rooms(user: string): RoomEntry[] {
    return this.sql.rooms.all({ user }).map((row) => ({ ...toRoom(row), unread: row.unread }));
  }

  /** One room with `user`'s unread count, or undefined. */
  room(user: string, room: string): RoomEntry | undefined {
    const row = this.sql.room.get({ user, room });
    return row && { ...toRoom(row), unread: row.unread };
  }

  /** Whether `room` exists (without counting anyone's unread messages). */
  hasRoom(room: string): boolean {
    return this.sql.hasRoom.get(room) !== undefined;
  }

  /** How many rooms exist. */
  roomCount(): number {
    return this.sql.roomCount.get()?.n ?? 0;
  }

  /** Creates a room; undefined when the id is taken. */
  createRoom(id: string, name: string, createdBy: string): Room | undefined {
    const createdAt = this.now();
    const result = this.sql.insertRoom.run(id, name, createdBy, createdAt);
    return result.changes === 1 ? { id, name, createdAt, lastId: 0 } : undefined;
  }

  /**
   * Stores a message by `author` under `key`, committed before it returns. When that author
   * already stored one under `key`, nothing is written and that message is returned.
   */
  send(room: string, author: { user: string; name: string }, key: string, text: string): SendResult {
    return this.db
      .transaction((): SendResult => {
        const existing = this.sql.byKey.get(author.user, key);
        if (existing) return { message: toMessage(existing), created: false };
        const rev = this.bumpRev(room);
        const row = this.sql.insert.get(room, rev, author.user, author.name, key, text, this.now());
        return { message: toMessage(row!), created: true };
      })
      .immediate();
  }

  /** A message by id, or undefined. */
  message(id: number): ChatMessage | undefined {
    const row = this.sql.byId.get(id);
    return row && toMessage(row);
  }

  /** Replaces a message's text (`deleted`: erases it), as the room's next revision. */
  change(id: number, change: { text: string } | { deleted: true }): ChatMessage {
    return this.db
      .transaction(() => {
        const current = this.sql.byId.get(id);
        if (!current) throw new Error(`no message ${id}`);
        const rev = this.bumpRev(current.room);
        const row =
          'deleted' in change
            ? this.sql.update.get(rev, '', current.edited_at, 1, id)
            : this.sql.update.get(rev, change.text, this.now(), 0, id);
        return toMessage(row!);
      })
      .immediate();
  }

  /** Up to `limit` messages of `room` before id `before` (all when undefined), oldest first; and whether more exist. */
  history(
    room: string,
    before: number | undefined,
    limit: number,
  ): { messages: ChatMessage[]; more: boolean } {
    const rows = this.sql.before.all(room, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const more = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toMessage), more };
  }

  /** Up to `limit` messages of `room` changed after revision `since`, by revision; the room's revision now. */
  changes(
    room: string,
    since: number,
    limit: number,
  ): { messages: ChatMessage[]; more: boolean; rev: number } {
    return this.db.transaction(() => {
      const rows = this.sql.since.all(room, since, limit + 1);
      const more = rows.length > limit;
      const messages = rows.slice(0, limit).map(toMessage);
      const rev = more ? messages.at(-1)!.rev : (this.sql.roomRev.get(room)?.rev ?? 0);
      return { messages, more, rev };
    })();
  }

  /** `user` has read `room` up to message `id` (never moves back). */
  markRead(user: string, room: string, id: number): void {
    this.sql.markRead.run(user, room, id);
  }

  /** Closes the file. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  private bumpRev(room: string): number {
    const bumped = this.sql.nextRev.get(room);
    if (!bumped) throw new Error(`no room ${room}`);
    return bumped.rev;
  }
}
