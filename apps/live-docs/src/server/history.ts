/**
 * A document's history, read from the update log and the kept snapshots: the list of
 * versions (runs of updates by one person), the text at any version, what one run changed,
 * and restoring a version as a new edit.
 *
 * Bounded work: the text at version v is the nearest snapshot at or before v plus the
 * updates after it (fewer than `snapshotEvery + maxUpdatesPerPush`, as a snapshot is written
 * after the push that reaches `snapshotEvery` updates since the last). What one entry changed
 * composes at most {@link MAX_RUN} updates; a list page reads at most {@link SCAN_PAGE} records.
 */
import { diff } from '@codemirror/merge';
import { ChangeSet, type ChangeSpec, type Text } from '@codemirror/state';
import { SockkitError } from '@sockkit/core';
import type { VersionEntry } from '../contract.js';
import { type CollabAuthority, lines, type PushResult } from './authority.js';
import type { UpdateRecord } from './store.js';

/** Updates of one person further apart than this start a new entry. */
export const IDLE_GAP_MS = 5 * 60_000;
/** Most updates in one entry (a long session becomes several). */
export const MAX_RUN = 1000;
/** Most update records one `list` reads. */
export const SCAN_PAGE = 5000;
/** Most entries in one `list` page. */
export const LIST_PAGE = 100;
/** How far the restore diff looks for matching text before settling for a coarser change. */
const DIFF_SCAN_LIMIT = 2000;

/** Reads and restores the history of documents held by `authority`. */
export class History {
  constructor(private readonly authority: CollabAuthority) {}

  private get store() {
    return this.authority.store;
  }

  /**
   * Up to {@link LIST_PAGE} entries at or below version `before` (default: the current one),
   * newest first; `next` is the `before` of the following page, null after the creation.
   */
  list(id: string, before?: number): { versions: VersionEntry[]; next: number | null } {
    const current = this.versionOf(id);
    const top = Math.min(before ?? current, current);
    const oldest = this.store.oldestVersion(id) ?? 0;
    const names = new Map<string, string>();
    const person = (user: string | null) => {
      if (user === null) return null;
      if (!names.has(user)) names.set(user, this.store.access.person(user).name);
      return { user, name: names.get(user)! };
    };
    const versions: VersionEntry[] = [];
    let run: UpdateRecord[] = [];
    const close = () => {
      const last = run[0]!;
      const first = run[run.length - 1]!;
      versions.push({
        version: last.version,
        since: first.version - 1,
        author: person(last.author),
        edits: run.length,
        from: first.at ?? 0,
        to: last.at ?? 0,
        restoredFrom: last.restoredFrom,
      });
      run = [];
    };
    for (const record of this.store.records(id, top, oldest, SCAN_PAGE)) {
      if (run.length > 0 && !sameRun(run[run.length - 1]!, record, run.length)) {
        close();
        if (versions.length === LIST_PAGE) break;
      }
      run.push(record);
    }
    if (run.length > 0) close();
    const bottom = versions.at(-1)?.since ?? top;
    if (bottom > oldest) return { versions, next: bottom };
    if (oldest === 0) {
      const created = this.store.created(id)!;
      versions.push({
        version: 0,
        since: 0,
        author: person(created.owner),
        edits: 0,
        from: created.at,
        to: created.at,
        restoredFrom: null,
      });
    }
    return { versions, next: null };
  }

  /** The text at `version`, and with `since` the inverse of what changed after it (see the contract). */
  get(
    id: string,
    version: number,
    since?: number,
  ): { version: number; text: string; inverse: ChangeSet | null } {
    const { text } = this.textAt(id, version);
    if (since === undefined) return { version, text: text.toString(), inverse: null };
    if (since > version || version - since > MAX_RUN) {
      throw new SockkitError('BAD_REQUEST', `since must be at most ${MAX_RUN} versions before version`);
    }
    const before = this.textAt(id, since).text;
    let composed = ChangeSet.empty(before.length);
    for (const update of this.store.updatesAfter(id, since, version - since)) {
      composed = composed.compose(ChangeSet.fromJSON(JSON.parse(update.changes)));
    }
    return { version, text: text.toString(), inverse: composed.invert(before) };
  }

  /**
   * The text at `version`: the nearest snapshot at or before it and the updates after that;
   * `replayed` is how many updates that took.
   */
  textAt(id: string, version: number): { text: Text; replayed: number } {
    const current = this.versionOf(id);
    if (version > current) {
      throw new SockkitError('CONFLICT', `version ${version} is ahead of the document (at ${current})`, {
        details: { version: current },
      });
    }
    const loaded = this.store.loadAt(id, version);
    if (!loaded) throw new SockkitError('BAD_REQUEST', `version ${version} is older than the history kept`);
    let text = lines(loaded.snapshotText);
    for (const update of loaded.tail) text = ChangeSet.fromJSON(JSON.parse(update.changes)).apply(text);
    return { text, replayed: loaded.tail.length };
  }

  /**
   * Makes the document's text what it was at `version`, as a new edit by `author` (stored,
   * in the history as a restore, and returned for fan-out). `accepted: false` when the text
   * is already that.
   */
  restore(id: string, version: number, author: string): PushResult {
    const target = this.textAt(id, version).text.toString();
    const clientID = `restore-${Math.random().toString(36).slice(2, 10)}`;
    return this.authority.pushServer(
      id,
      (text) => ({ clientID, changes: restoreChanges(text, target, this.authority.limits.maxInsertChars) }),
      { author, restoredFrom: version },
    );
  }

  private versionOf(id: string): number {
    const version = this.store.version(id);
    if (version === undefined) throw new SockkitError('NOT_FOUND', `no document ${id}`);
    return version;
  }
}

/** Whether `older` continues the entry whose oldest record so far is `newer`. */
function sameRun(newer: UpdateRecord, older: UpdateRecord, size: number): boolean {
  if (size >= MAX_RUN || newer.author !== older.author || newer.restoredFrom !== older.restoredFrom)
    return false;
  // Two restores in a row are two entries: each has its own client id.
  if (newer.restoredFrom !== null && newer.clientID !== older.clientID) return false;
  if (newer.at === null || older.at === null) return newer.at === older.at;
  return newer.at - older.at <= IDLE_GAP_MS;
}

/**
 * Change sets turning `current` into `target`, in order: a line-aware diff (bounded by its
 * scan limit), split so that none inserts more than `maxInsert` characters, the way a client
 * push is bounded. Changes are taken from the end of the text backwards, so every change
 * set's positions are still those of `current` before the ones already taken.
 */
export function restoreChanges(current: Text, target: string, maxInsert: number): ChangeSet[] {
  const from = current.toString();
  if (from === target) return [];
  const chunks = diff(from, target, { scanLimit: DIFF_SCAN_LIMIT });
  const sets: ChangeSet[] = [];
  let length = from.length;
  let specs: ChangeSpec[] = [];
  let budget = maxInsert;
  let delta = 0;
  const flush = () => {
    if (specs.length === 0) return;
    sets.push(ChangeSet.of(specs, length));
    length += delta;
    specs = [];
    budget = maxInsert;
    delta = 0;
  };
  for (let i = chunks.length - 1; i >= 0; i--) {
    const { fromA, toA, fromB, toB } = chunks[i]!;
    let end = toB;
    let deleteTo = toA;
    // The tail of the inserted text first, each piece before the one already placed.
    do {
      if (budget === 0) flush();
      let start = Math.max(fromB, end - budget);
      // A surrogate pair stays in one piece: the earlier one.
      if (start > fromB && start < end && isLowSurrogate(target.charCodeAt(start))) start++;
      if (start === end && budget === maxInsert) start = Math.max(fromB, end - 2); // a limit below 2
      specs.push({ from: fromA, to: deleteTo, insert: target.slice(start, end) });
      delta += end - start - (deleteTo - fromA);
      budget -= Math.min(budget, end - start);
      deleteTo = fromA;
      end = start;
      if (end > fromB) flush();
    } while (end > fromB);
  }
  flush();
  return sets;
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
