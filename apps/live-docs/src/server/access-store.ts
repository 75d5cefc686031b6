/**
 * Who may use which document, in SQLite beside the documents: each document's owner (a
 * column of `docs`), the people given a role (`members`), one share link per role (`links`)
 * and the name each person last connected with (`people`, for lists and history).
 *
 * Share link tokens are stored as they are, not hashed: the owner's share dialog shows the
 * link again whenever it is opened. Anyone who can read this file can read the documents too.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DocMeta, Grantable, PersonRef, Role, Sharing } from '../contract.js';

interface MetaRow {
  id: string;
  title: string;
  version: number;
  created_at: number;
  updated_at: number;
  owner: string | null;
  owner_name: string | null;
  role: Role | null;
}

/** Every document row with its owner's name and the role of user `?` (the first two `?`). */
const META = `
SELECT d.id, d.title, d.version, d.created_at, d.updated_at, d.owner, p.name AS owner_name,
  CASE WHEN d.owner = @user THEN 'owner' WHEN d.owner IS NULL THEN 'editor' ELSE m.role END AS role
FROM docs d
LEFT JOIN people p ON p.user = d.owner
LEFT JOIN members m ON m.doc_id = d.id AND m.user = @user`;

const toMeta = (row: MetaRow, role: Role): DocMeta => ({
  id: row.id,
  title: row.title,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  owner: row.owner === null ? null : { user: row.owner, name: row.owner_name ?? '' },
  role,
});

const equalTokens = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The access tables of one database. */
export class AccessStore {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      meta: db.prepare<{ user: string; id: string }, MetaRow>(`${META} WHERE d.id = @id`),
      list: db.prepare<{ user: string }, MetaRow>(
        `${META} WHERE d.owner = @user OR d.owner IS NULL OR m.user IS NOT NULL ORDER BY d.updated_at DESC, d.id`,
      ),
      owner: db.prepare<[string], { owner: string | null }>('SELECT owner FROM docs WHERE id = ?'),
      claim: db.prepare('UPDATE docs SET owner = ? WHERE id = ? AND owner IS NULL'),
      member: db.prepare<[string, string], { role: Grantable }>(
        'SELECT role FROM members WHERE doc_id = ? AND user = ?',
      ),
      members: db.prepare<[string], { user: string; role: Grantable; since: number; name: string | null }>(
        'SELECT m.user, m.role, m.since, p.name FROM members m LEFT JOIN people p ON p.user = m.user WHERE m.doc_id = ? ORDER BY m.since, m.user',
      ),
      grant: db.prepare(
        'INSERT INTO members (doc_id, user, role, since) VALUES (?, ?, ?, ?) ON CONFLICT (doc_id, user) DO UPDATE SET role = excluded.role',
      ),
      revokeMember: db.prepare('DELETE FROM members WHERE doc_id = ? AND user = ?'),
      links: db.prepare<[string], { role: Grantable; token: string }>(
        'SELECT role, token FROM links WHERE doc_id = ?',
      ),
      putLink: db.prepare(
        'INSERT OR REPLACE INTO links (doc_id, role, token, created_at) VALUES (?, ?, ?, ?)',
      ),
      dropLink: db.prepare('DELETE FROM links WHERE doc_id = ? AND role = ?'),
      name: db.prepare<[string], { name: string }>('SELECT name FROM people WHERE user = ?'),
      putName: db.prepare(
        'INSERT INTO people (user, name, updated_at) VALUES (?, ?, ?) ON CONFLICT (user) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at',
      ),
    };
  }

  /**
   * `user`'s role in document `id`: `owner`, their member role, `editor` for everyone when the
   * document has no owner, and null when they have none. Undefined when there is no document.
   */
  roleOf(id: string, user: string): Role | null | undefined {
    const doc = this.statements.owner.get(id);
    if (!doc) return undefined;
    if (doc.owner === null) return 'editor';
    if (doc.owner === user) return 'owner';
    return this.statements.member.get(id, user)?.role ?? null;
  }

  /** The owner's user key; null when the document has none, undefined when there is no document. */
  ownerOf(id: string): string | null | undefined {
    return this.statements.owner.get(id)?.owner;
  }

  /** The document's metadata as `user` sees it; undefined when it is not theirs to see. */
  meta(id: string, user: string): DocMeta | undefined {
    const row = this.statements.meta.get({ id, user });
    return row?.role ? toMeta(row, row.role) : undefined;
  }

  /** The documents `user` may open, most recently changed first. */
  listFor(user: string): DocMeta[] {
    return this.statements.list.all({ user }).map((row) => toMeta(row, row.role ?? 'editor'));
  }

  /** Makes `user` the owner of a document without one; false when it has one. */
  claim(id: string, user: string): boolean {
    return this.statements.claim.run(user, id).changes > 0;
  }

  /** The owner and every member (user keys): whose document lists a change reaches. */
  audience(id: string): string[] {
    const owner = this.statements.owner.get(id)?.owner;
    const members = this.statements.members.all(id).map((m) => m.user);
    return owner ? [owner, ...members] : members;
  }

  /** Gives `user` `role` (replacing their member role), or removes them with null; whether anything changed. */
  setRole(id: string, user: string, role: Grantable | null, now = Date.now()): boolean {
    const before = this.statements.member.get(id, user)?.role ?? null;
    if (before === role) return false;
    if (role === null) this.statements.revokeMember.run(id, user);
    else this.statements.grant.run(id, user, role, now);
    return true;
  }

  /** Links and people of a document, for its owner. */
  sharing(id: string): Sharing {
    const links: Sharing['links'] = { editor: null, viewer: null };
    for (const link of this.statements.links.all(id)) links[link.role] = link.token;
    const people = this.statements.members
      .all(id)
      .map((m) => ({ user: m.user, name: m.name ?? '', role: m.role, since: m.since }));
    return { links, people };
  }

  /** A new random link for `role`, replacing the previous one (which stops working). */
  createLink(id: string, role: Grantable, now = Date.now()): string {
    const token = randomBytes(24).toString('base64url');
    this.statements.putLink.run(id, role, token, now);
    return token;
  }

  /** Deletes the link for `role`; false when there was none. */
  revokeLink(id: string, role: Grantable): boolean {
    return this.statements.dropLink.run(id, role).changes > 0;
  }

  /** The role share link `token` of document `id` gives, or undefined when it is not one of its links. */
  linkRole(id: string, token: string): Grantable | undefined {
    return this.statements.links.all(id).find((link) => equalTokens(link.token, token))?.role;
  }

  /** Remembers the name `user` connected with (written only when it changed). */
  rememberName(user: string, name: string, now = Date.now()): void {
    if (!name || this.statements.name.get(user)?.name === name) return;
    this.statements.putName.run(user, name, now);
  }

  /** A person's key and last known name. */
  person(user: string): PersonRef {
    return { user, name: this.statements.name.get(user)?.name ?? '' };
  }
}
