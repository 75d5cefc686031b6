/**
 * The collab authority (the server half of @codemirror/collab). It accepts a batch of
 * updates only when it is based on the current version, checks every change set against the
 * document before anything is stored, and keeps a small cache of open documents in memory.
 *
 * The store decides: an append is conditional on the stored version, and the cache catches
 * up from the log whenever the store is ahead (another node sharing the database wrote).
 *
 * Every append records who made it (the caller's user key) and when, for history.
 */
import { ChangeSet, Text } from '@codemirror/state';
import { SockkitError } from '@sockkit/core';
import type { WireUpdate } from '../contract.js';
import { DEFAULT_DOC_LIMITS, type DocLimits, PULL_PAGE } from '../shared/limits.js';
import type { AppendInfo, DocStore, StoredUpdate } from './store.js';

/** Options of {@link CollabAuthority}. */
export interface AuthorityOptions {
  limits?: Partial<DocLimits>;
  /** Write a snapshot after this many updates since the last one. Default 200. */
  snapshotEvery?: number;
  /** Documents kept in memory. Default 64. */
  cacheSize?: number;
  /** The time stored with each update (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/** Who makes a push, as the log records it. */
export type PushInfo = Omit<AppendInfo, 'now'>;

/** Change sets the server makes itself (a restore), built against the current text. */
export type ServerChange = (text: Text) => { clientID: string; changes: ChangeSet[] };

/** The answer to a push. */
export interface PushResult {
  accepted: boolean;
  /** The document's version after the push (or now, when rejected). */
  version: number;
  /** On acceptance: the version the accepted updates start from. */
  since: number;
  /** On acceptance: the updates as stored, in wire form, to fan out. */
  updates: WireUpdate[];
}

interface CachedDoc {
  text: Text;
  version: number;
  snapshotVersion: number;
}

/** A string as CodeMirror text (lines split at any line break). */
export const lines = (text: string) => Text.of(text.split(/\r\n?|\n/));

const toWire = (update: StoredUpdate): WireUpdate => ({
  clientID: update.clientID,
  changes: JSON.parse(update.changes) as WireUpdate['changes'],
});

/** Accepts, orders and stores the updates of every document. */
export class CollabAuthority {
  readonly limits: DocLimits;
  /** A snapshot is written once this many updates followed the last one. */
  readonly snapshotEvery: number;
  /** The clock stored with updates (and new documents). */
  readonly now: () => number;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, CachedDoc>();

  constructor(
    readonly store: DocStore,
    options: AuthorityOptions = {},
  ) {
    this.limits = { ...DEFAULT_DOC_LIMITS, ...options.limits };
    this.snapshotEvery = options.snapshotEvery ?? 200;
    this.cacheSize = options.cacheSize ?? 64;
    this.now = options.now ?? Date.now;
  }

  /** The current text and version of a document. */
  open(id: string): { version: number; text: string } {
    const doc = this.current(id);
    return { version: doc.version, text: doc.text.toString() };
  }

  /**
   * Offers `updates` based on `version`. Rejected (`accepted: false`) when the document moved
   * on; throws CONFLICT for a version from the future, BAD_REQUEST for a malformed or
   * misfitting change set, PAYLOAD_TOO_LARGE above the limits, NOT_FOUND for no document.
   */
  push(id: string, version: number, updates: readonly WireUpdate[], info: PushInfo = {}): PushResult {
    if (updates.length === 0) throw new SockkitError('BAD_REQUEST', 'a push needs at least one update');
    if (updates.length > this.limits.maxUpdatesPerPush) {
      throw new SockkitError(
        'PAYLOAD_TOO_LARGE',
        `at most ${this.limits.maxUpdatesPerPush} updates per push`,
        {
          details: { limit: this.limits.maxUpdatesPerPush },
        },
      );
    }
    const doc = this.current(id);
    if (version > doc.version) {
      throw new SockkitError('CONFLICT', `version ${version} is ahead of the document (at ${doc.version})`, {
        details: { version: doc.version },
      });
    }
    if (version < doc.version) return { accepted: false, version: doc.version, since: version, updates: [] };

    let text = doc.text;
    let inserted = 0;
    const stored: StoredUpdate[] = [];
    updates.forEach((update, index) => {
      const changes = parseChanges(update.changes, index);
      if (changes.length !== text.length) {
        throw new SockkitError(
          'BAD_REQUEST',
          `update ${index} does not fit the document: it spans ${changes.length} characters, the document has ${text.length}`,
        );
      }
      changes.iterChanges((_fromA, _toA, _fromB, _toB, insert) => {
        inserted += insert.length;
      });
      if (inserted > this.limits.maxInsertChars) {
        throw new SockkitError(
          'PAYLOAD_TOO_LARGE',
          `a push may insert at most ${this.limits.maxInsertChars} characters`,
          {
            details: { limit: this.limits.maxInsertChars },
          },
        );
      }
      text = changes.apply(text);
      stored.push({ clientID: update.clientID, changes: JSON.stringify(changes.toJSON()) });
    });
    return this.commit(id, doc, version, stored, text, info);
  }

  /**
   * Appends change sets the server builds from the current text (a restore), as a normal
   * edit: stored, versioned and returned for fan-out. They are not held to the per-push insert
   * limit (the builder splits its updates by it); the document size limit still applies. A
   * builder returning no change set appends nothing (`accepted: false`, nothing to do).
   */
  pushServer(id: string, build: ServerChange, info: PushInfo = {}): PushResult {
    for (let attempt = 0; ; attempt++) {
      const doc = this.current(id);
      const { clientID, changes } = build(doc.text);
      if (changes.length === 0)
        return { accepted: false, version: doc.version, since: doc.version, updates: [] };
      let text = doc.text;
      const stored = changes.map((set) => {
        text = set.apply(text);
        return { clientID, changes: JSON.stringify(set.toJSON()) };
      });
      const result = this.commit(id, doc, doc.version, stored, text, info);
      // Another node appended meanwhile: build again on its text (a few tries at most).
      if (result.accepted || attempt >= 2) return result;
    }
  }

  private commit(
    id: string,
    doc: CachedDoc,
    version: number,
    stored: StoredUpdate[],
    text: Text,
    info: PushInfo,
  ): PushResult {
    if (text.length > this.limits.maxDocChars && text.length > doc.text.length) {
      throw new SockkitError(
        'PAYLOAD_TOO_LARGE',
        `a document may hold at most ${this.limits.maxDocChars} characters`,
        {
          details: { limit: this.limits.maxDocChars },
        },
      );
    }

    if (!this.store.append(id, version, stored, { ...info, now: this.now() })) {
      // Another writer got there first: catch up and let the client rebase.
      const fresh = this.current(id);
      return { accepted: false, version: fresh.version, since: version, updates: [] };
    }
    doc.text = text;
    doc.version = version + stored.length;
    if (doc.version - doc.snapshotVersion >= this.snapshotEvery) {
      this.store.snapshot(id, doc.version, text.toString());
      doc.snapshotVersion = doc.version;
    }
    return { accepted: true, version: doc.version, since: version, updates: stored.map(toWire) };
  }

  /** Up to one page of updates after `since`. */
  pull(id: string, since: number): { since: number; updates: WireUpdate[]; more: boolean } {
    const doc = this.current(id);
    if (since > doc.version) {
      throw new SockkitError('CONFLICT', `version ${since} is ahead of the document (at ${doc.version})`, {
        details: { version: doc.version },
      });
    }
    const updates = this.store.updatesAfter(id, since, PULL_PAGE).map(toWire);
    return { since, updates, more: since + updates.length < doc.version };
  }

  /** Drops a document from the cache (after it was deleted). */
  forget(id: string): void {
    this.cache.delete(id);
  }

  /** The cached document, loaded or caught up from the store as needed. */
  private current(id: string): CachedDoc {
    const stored = this.store.version(id);
    if (stored === undefined) {
      this.cache.delete(id);
      throw notFound(id);
    }
    let doc = this.cache.get(id);
    if (doc === undefined) {
      const loaded = this.store.load(id);
      if (!loaded) throw notFound(id);
      let text = lines(loaded.snapshotText);
      for (const update of loaded.tail) text = ChangeSet.fromJSON(JSON.parse(update.changes)).apply(text);
      doc = {
        text,
        version: loaded.snapshotVersion + loaded.tail.length,
        snapshotVersion: loaded.snapshotVersion,
      };
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    } else {
      this.cache.delete(id); // re-inserted below: the Map's order is the LRU order
      while (doc.version < stored) {
        const tail = this.store.updatesAfter(id, doc.version, PULL_PAGE);
        if (tail.length === 0) break;
        for (const update of tail) doc.text = ChangeSet.fromJSON(JSON.parse(update.changes)).apply(doc.text);
        doc.version += tail.length;
      }
    }
    this.cache.set(id, doc);
    return doc;
  }
}

function notFound(id: string): SockkitError {
  return new SockkitError('NOT_FOUND', `no document ${id}`);
}

function parseChanges(json: unknown, index: number): ChangeSet {
  try {
    return ChangeSet.fromJSON(json);
  } catch {
    throw new SockkitError('BAD_REQUEST', `update ${index} is not a valid change set`);
  }
}
