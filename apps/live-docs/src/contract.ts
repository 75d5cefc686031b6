/**
 * The live-docs contract, shared by the Node server (src/server) and the Vue app (src/web).
 * Every type on both sides comes from these schemas.
 *
 * Sync model (@codemirror/collab, central authority): a client sends its unconfirmed
 * updates with the version they are based on (`pushUpdates`); the server accepts them when
 * that version is current, stores them durably, and fans them out on `doc` carrying the
 * version they start from. A rejected client pulls (`pullUpdates`), rebases, and pushes again.
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

export const contract = defineContract({
  server: {
    listDocs: { output: z.array(docMeta), idempotent: true },
    createDoc: { input: z.object({ title }), output: docMeta },
    renameDoc: { input: z.object({ id: docId, title }), output: docMeta },
    deleteDoc: { input: z.object({ id: docId }), output: z.object({ id: docId }) },
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
    /** Changes to the document list. */
    docs: {
      message: z.discriminatedUnion('type', [
        z.object({ type: z.literal('upsert'), doc: docMeta }),
        z.object({ type: z.literal('deleted'), id: docId }),
      ]),
    },
  },
});

export type LiveDocsContract = typeof contract;
