/**
 * The client half of the sync protocol, free of any UI: it runs against anything holding an
 * `EditorState` with the `collab()` extension (an `EditorView` in the browser, a plain holder
 * in the simulated-clients tests).
 *
 * One loop does all network work, one step at a time: pull when behind, else push the
 * unconfirmed updates based on the synced version. Fan-out messages apply at once when they
 * continue the synced version and trigger a pull when they leave a gap. Every update carries
 * its version, so nothing depends on the transport's offsets.
 *
 * Applying the server's updates must never fail; when it does anyway (an update that does not
 * fit, an editor that throws while drawing it), this copy can no longer be trusted: the engine
 * stops and hands its owner the unsaved edits as they stood before, to rebuild from the server.
 * The status is `saved` only when the server has confirmed every local edit.
 */
import {
  getClientID,
  getSyncedVersion,
  receiveUpdates,
  sendableUpdates,
  type Update,
} from '@codemirror/collab';
import { ChangeSet, type EditorState, type Text, type Transaction } from '@codemirror/state';
import { isSockkitError } from '@sockkit/core';
import type { WireUpdate } from '../contract.js';
import { DEFAULT_DOC_LIMITS } from './limits.js';
import type { PendingEdits } from './pending-edits.js';

/** What the engine asks of the server. */
export interface SyncTransport {
  push(version: number, updates: WireUpdate[]): Promise<{ accepted: boolean; version: number }>;
  pull(since: number): Promise<{ since: number; updates: WireUpdate[]; more: boolean }>;
}

/** Whatever owns the editor state. */
export interface StateHost {
  readonly state: EditorState;
  dispatch(transaction: Transaction): void;
}

/**
 * `saved`: the server confirmed every local edit; `saving`: some are not confirmed yet;
 * `waiting`: the link is down, edits wait locally until it is back.
 */
export type SyncStatus = 'saved' | 'saving' | 'waiting';

/** Options of {@link CollabSync}. */
export interface CollabSyncOptions {
  /** A refusal that retrying cannot fix (bad change set, too large, document gone). */
  onFatal?: (error: unknown) => void;
  /**
   * Applying the server's updates threw: the engine has stopped, and the editor state may not
   * match what it shows. `pending` are the unsaved edits as they stood before, with the base
   * they fit (replay them with `replayPending`). Without this option, `onFatal` is called.
   */
  onDiverged?: (error: unknown, pending: PendingEdits | undefined) => void;
  /** Status changes, for the UI. */
  onStatus?: (status: SyncStatus) => void;
  /** Every time a round of work ends with everything confirmed and nothing left to pull. */
  onSettled?: () => void;
  /** A failure that will be retried (the link is down): called once the retry is scheduled. */
  onRetry?: (error: unknown) => void;
  /** Most characters inserted by one push (the server's limit). */
  maxInsertChars?: number;
  /** Most updates in one push. */
  maxUpdatesPerPush?: number;
  /** Delay before retrying after a transport failure, by attempt. */
  retryDelay?: (attempt: number) => number;
}

/** Whether trying again later may succeed: a failed link, not a refusal of the change itself. */
export const isRetryable = (error: unknown): boolean =>
  !isSockkitError(error) || error.retryable || error.code === 'CANCELLED';

const toWire = (update: Update): WireUpdate => ({
  clientID: update.clientID,
  changes: update.changes.toJSON() as WireUpdate['changes'],
});

const fromWire = (update: WireUpdate): Update => ({
  clientID: update.clientID,
  changes: ChangeSet.fromJSON(update.changes),
});

/** The unconfirmed edits of `state`, based on `confirmed` (the text at its synced version). */
function pendingOf(state: EditorState, confirmed: Text): PendingEdits | undefined {
  const updates = sendableUpdates(state);
  if (updates.length === 0) return undefined;
  return {
    clientID: getClientID(state),
    version: getSyncedVersion(state),
    text: confirmed.toString(),
    updates: updates.map(toWire),
  };
}

/** Keeps one editor state in sync with the authority. */
export class CollabSync {
  private running = false;
  private behind = true;
  private disposed = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private current: SyncStatus = 'saved';
  /** The text at the synced version: the server's updates applied in order, ours included. */
  private confirmed: Text;

  /** `host` must hold no unconfirmed edits yet: its text is taken as the synced version's. */
  constructor(
    private readonly host: StateHost,
    private readonly transport: SyncTransport,
    private readonly options: CollabSyncOptions = {},
  ) {
    this.confirmed = host.state.doc;
  }

  /** The version this copy has confirmed with the server. */
  get version(): number {
    return getSyncedVersion(this.host.state);
  }

  /** Local updates not yet confirmed. */
  get unconfirmed(): number {
    return sendableUpdates(this.host.state).length;
  }

  /** The current status. */
  get status(): SyncStatus {
    return this.current;
  }

  /** What is needed to push the unconfirmed edits later, from another page; undefined when none. */
  pending(): PendingEdits | undefined {
    return pendingOf(this.host.state, this.confirmed);
  }

  /** Call after local edits: pushes them (now, or after the step in progress). */
  changed(): void {
    // Not `saved` from this moment until the server confirms them, even while a pull runs.
    if (this.current === 'saved' && this.unconfirmed > 0) this.setStatus('saving');
    this.kick();
  }

  /** A fan-out message: updates starting at version `since`. */
  receive(since: number, updates: readonly WireUpdate[]): void {
    if (!this.apply(since, updates)) this.behind = true;
    this.kick();
  }

  /** Catch up from the server (after a reconnect, or when history could not be resumed). */
  resync(): void {
    this.behind = true;
    this.failures = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.kick();
  }

  /** Stops all work; later messages are ignored. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
  }

  /**
   * Applies updates that continue (or overlap) the synced version; false on a gap. When that
   * throws, the engine stops and reports the divergence (true is returned: nothing to pull).
   */
  private apply(since: number, updates: readonly WireUpdate[]): boolean {
    if (this.disposed) return true;
    const version = this.version;
    if (since > version) return false;
    if (updates.length <= version - since) return true;
    const before = { state: this.host.state, confirmed: this.confirmed };
    try {
      const fresh = updates.slice(version - since).map(fromWire);
      let confirmed = this.confirmed;
      for (const update of fresh) confirmed = update.changes.apply(confirmed);
      this.host.dispatch(receiveUpdates(this.host.state, fresh));
      this.confirmed = confirmed;
    } catch (error) {
      this.dispose();
      const pending = pendingOf(before.state, before.confirmed);
      if (this.options.onDiverged) this.options.onDiverged(error, pending);
      else this.options.onFatal?.(error);
    }
    return true;
  }

  private kick(): void {
    if (!this.running && !this.disposed && this.retryTimer === undefined) void this.run();
  }

  private setStatus(status: SyncStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.options.onStatus?.(status);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.disposed) {
        if (this.behind) {
          this.behind = false;
          await this.pullAll();
          continue;
        }
        const batch = this.nextBatch();
        if (batch.length === 0) break;
        this.setStatus('saving');
        const version = this.version;
        const wire = batch.map(toWire);
        const result = await this.transport.push(version, wire);
        if (result.accepted) this.apply(version, wire);
        else this.behind = true;
      }
      this.failures = 0;
      if (!this.disposed) this.setStatus(this.unconfirmed > 0 ? 'saving' : 'saved');
      if (!this.disposed && !this.behind && this.unconfirmed === 0) this.options.onSettled?.();
    } catch (error) {
      this.fail(error);
    } finally {
      this.running = false;
    }
    if (!this.disposed && this.retryTimer === undefined && (this.behind || this.unconfirmed > 0)) this.kick();
  }

  private async pullAll(): Promise<void> {
    for (;;) {
      const page = await this.transport.pull(this.version);
      if (this.disposed) return;
      if (!this.apply(page.since, page.updates)) continue;
      if (!page.more || this.disposed) return;
    }
  }

  /** The first unconfirmed updates, within the per-push limits. */
  private nextBatch(): readonly Update[] {
    const all = sendableUpdates(this.host.state);
    const maxChars = this.options.maxInsertChars ?? DEFAULT_DOC_LIMITS.maxInsertChars;
    const maxCount = this.options.maxUpdatesPerPush ?? DEFAULT_DOC_LIMITS.maxUpdatesPerPush;
    let chars = 0;
    let count = 0;
    for (const update of all) {
      let inserted = 0;
      update.changes.iterChanges((_a, _b, _c, _d, text) => {
        inserted += text.length;
      });
      if (count > 0 && (count >= maxCount || chars + inserted > maxChars)) break;
      chars += inserted;
      count++;
    }
    return all.slice(0, count);
  }

  private fail(error: unknown): void {
    if (this.disposed) return;
    if (!isRetryable(error)) {
      this.setStatus('waiting');
      this.options.onFatal?.(error);
      return;
    }
    this.behind = true;
    this.setStatus('waiting');
    const delay = this.options.retryDelay?.(this.failures) ?? Math.min(10_000, 250 * 2 ** this.failures);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    this.options.onRetry?.(error);
  }
}
