/**
 * The live-docs contract, shared by the Node server (src/server) and the Vue app (src/web).
 * Every type on both sides comes from these schemas.
 *
 * Sync model (@codemirror/collab, central authority): a client sends its unconfirmed
 * updates with the version they are based on (`pushUpdates`); the server accepts them when
 * that version is current, stores them durably, and fans them out on `doc` carrying the
 * version they start from. A rejected client pulls (`pullUpdates`), rebases, and pushes again.
 *
 * Access: a document has an owner (who created it), editors and viewers. What each procedure
 * and topic needs is the table in `src/server/access.ts`; anyone else is refused FORBIDDEN.
 */
import { defineContract } from '@sockkit/core';
import * as z from 'zod';

/** A document id: URL-safe, as created by the server. */
export const docId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid document id');
/**
 * An editor session's collab client id. Kept to plain characters: it is stored with every
 * update, and a client must get back exactly the id it sent to recognise its own updates.
 */
export const clientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid client id');
const title = z.string().trim().min(1).max(200);
const version = z.number().int().nonnegative();

/** A person's key: derived by the server from their secret identity token, safe to show. */
export const userKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid user key');
/** What someone may do with a document: viewers read, editors also write, the owner also shares and deletes. */
export const role = z.enum(['owner', 'editor', 'viewer']);
export type Role = z.infer<typeof role>;
/** The roles a share link or the owner can give. */
export const grantable = z.enum(['editor', 'viewer']);
export type Grantable = z.infer<typeof grantable>;
/** A share link's secret, as created by the server. */
export const shareToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'invalid share token');
/** A person as others see them: key and the name they last connected with. */
export const personRef = z.object({ user: userKey, name: z.string() });
export type PersonRef = z.infer<typeof personRef>;

/**
 * One change set in @codemirror/state's JSON form: numbers (kept lengths) and arrays
 * `[deletedLength, ...insertedLines]`. Structure is checked again by `ChangeSet.fromJSON`; a
 * line holding a line break would give the editors a document they cannot display, so it is
 * refused here.
 */
const line = z.string().regex(/^[^\r\n]*$/, 'inserted text is split into lines; a line holds no line break');
export const changesJson = z
  .array(z.union([z.number().int().nonnegative(), z.array(z.union([z.number().int().nonnegative(), line]))]))
  .max(100_000);

/** One update as it travels: the author's collab client id and the change set. */
export const updateSchema = z.object({ clientID: clientId, changes: changesJson });
export type WireUpdate = z.infer<typeof updateSchema>;

export const docMeta = z.object({
  id: docId,
  title: z.string(),
  version,
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Who created it; null for documents from before owners existed (open to everyone). */
  owner: personRef.nullable(),
  /** The caller's role. */
  role,
});
export type DocMeta = z.infer<typeof docMeta>;

/** A cursor or selection of one editor, in its document coordinates. */
export const cursorSchema = z.object({
  clientID: clientId,
  name: z.string().max(64),
  color: z.string().max(32),
  anchor: z.number().int().nonnegative(),
  head: z.number().int().nonnegative(),
  version,
});
export type Cursor = z.infer<typeof cursorSchema>;

/** Who someone is in a document: shown in the member list and on their cursor. */
export const personSchema = z.object({
  name: z.string().trim().min(1).max(64),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  clientID: clientId,
});
export type Person = z.infer<typeof personSchema>;

/** One entry of a document's history: a run of updates by one person (or one restore). */
export const versionSchema = z.object({
  /** The version after this entry's updates: view or restore this one. */
  version,
  /** The version before them (`version - edits`). */
  since: version,
  /** Who made them; null when not recorded (updates from before authors were kept). */
  author: personRef.nullable(),
  /** Number of updates (0 for the creation). */
  edits: z.number().int().nonnegative(),
  /** When the first and the last of them were stored (epoch ms). */
  from: z.number(),
  to: z.number(),
  /** For a restore: the version it brought back. */
  restoredFrom: version.nullable(),
});
export type VersionEntry = z.infer<typeof versionSchema>;

/** Who may use a document, as its owner sees it. */
export const sharingSchema = z.object({
  /** The secret of each share link that exists. */
  links: z.object({ editor: shareToken.nullable(), viewer: shareToken.nullable() }),
  /** Everyone given a role, oldest first (the owner is not listed). */
  people: z.array(personRef.extend({ role: grantable, since: z.number() })),
});
export type Sharing = z.infer<typeof sharingSchema>;

export const contract = defineContract({
  server: {
    /** Who this connection is (the key the server derived from its token). */
    me: { output: personRef, idempotent: true },
    /** The documents the caller may open, most recently changed first. */
    listDocs: { output: z.array(docMeta), idempotent: true },
    /** Creates a document owned by the caller. */
    createDoc: { input: z.object({ title }), output: docMeta },
    renameDoc: { input: z.object({ id: docId, title }), output: docMeta },
    deleteDoc: { input: z.object({ id: docId }), output: z.object({ id: docId }) },
    /** Opens a share link: gives the caller the link's role (never lowers a role they have). */
    joinDoc: { input: z.object({ id: docId, token: shareToken }), output: docMeta },
    /** Makes the caller the owner of a document that has none (created before owners existed). */
    claimDoc: { input: z.object({ id: docId }), output: docMeta },
    /** Links and people of a document (owner only). */
    sharing: { input: z.object({ id: docId }), output: sharingSchema, idempotent: true },
    /** A new share link for `role`, replacing the old one (owner only). */
    createLink: { input: z.object({ id: docId, role: grantable }), output: z.object({ token: shareToken }) },
    /** Deletes the share link for `role`; people who joined through it keep their role. */
    revokeLink: {
      input: z.object({ id: docId, role: grantable }),
      output: z.object({ revoked: z.boolean() }),
    },
    /** Changes someone's role, or removes them with `role: null` (owner only). */
    setAccess: {
      input: z.object({ id: docId, user: userKey, role: grantable.nullable() }),
      output: z.object({ changed: z.boolean() }),
    },
    /** The document's history, newest first, a page at a time: ask again with `before: next`. */
    listVersions: {
      input: z.object({ id: docId, before: version.optional() }),
      output: z.object({ versions: z.array(versionSchema), next: version.nullable() }),
      idempotent: true,
    },
    /**
     * The text at `version`; with `since`, also `inverse`: the change set from that text back
     * to the one at `since` (what was inserted and deleted in between), in JSON form.
     */
    getVersion: {
      input: z.object({ id: docId, version, since: version.optional() }),
      output: z.object({ version, text: z.string(), inverse: changesJson.nullable() }),
      idempotent: true,
    },
    /** Makes the text what it was at `version`, as a new edit everyone receives. */
    restoreVersion: {
      input: z.object({ id: docId, version }),
      output: z.object({ restored: z.boolean(), version }),
    },
    /** The current text and version of a document, to start editing from. */
    openDoc: {
      input: z.object({ id: docId }),
      output: z.object({ meta: docMeta, version, text: z.string() }),
      idempotent: true,
    },
    /** Offers updates based on `version`; `accepted: false` means pull, rebase and retry. */
    pushUpdates: {
      input: z.object({ id: docId, version, updates: z.array(updateSchema).min(1) }),
      output: z.object({ accepted: z.boolean(), version }),
    },
    /** Updates after `since`, at most one page; ask again while `more` is true. */
    pullUpdates: {
      input: z.object({ id: docId, since: version }),
      output: z.object({ since: version, updates: z.array(updateSchema), more: z.boolean() }),
      idempotent: true,
    },
  },
  topics: {
    /** Accepted updates of one document (and its deletion), server-published. */
    doc: {
      params: z.object({ id: docId }),
      message: z.discriminatedUnion('type', [
        z.object({ type: z.literal('updates'), since: version, updates: z.array(updateSchema) }),
        z.object({ type: z.literal('deleted') }),
      ]),
      presence: personSchema,
    },
    /** Cursors and selections: volatile, published by clients, never stored. */
    cursors: {
      params: z.object({ id: docId }),
      message: cursorSchema,
      publish: 'client',
      volatile: true,
    },
    /**
     * Changes to one person's document list (only they may subscribe): a document created,
     * renamed, shared with them or their role changed (`upsert`), deleted, or their access
     * removed (`removed`).
     */
    docs: {
      params: z.object({ user: userKey }),
      message: z.discriminatedUnion('type', [
        z.object({ type: z.literal('upsert'), doc: docMeta }),
        z.object({ type: z.literal('deleted'), id: docId }),
        z.object({ type: z.literal('removed'), id: docId }),
      ]),
    },
  },
});

export type LiveDocsContract = typeof contract;
