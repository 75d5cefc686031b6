/**
 * `useDocSession`: everything one open document needs, bound to the calling component —
 * the editor, the sync engine on sockkit calls, the `doc` topic (updates, presence), the
 * `cursors` topic (volatile), reconnect handling, unconfirmed edits kept in the browser
 * while offline (and replayed when the document is opened again) and the errors the UI shows.
 *
 * When applying an update throws, the editor is not trusted any further: it is rebuilt from
 * the server, its unsaved edits (as they stood before) replayed onto it, and the page says so.
 *
 * Access: a share link's token is sent once (`joinDoc`) before the document opens; the topics
 * are joined only once the server has let this person open it. A viewer's editor is
 * read-only, and a role changed or taken away by the owner reaches the page on its list.
 */
import type { EditorView } from '@codemirror/view';
import { isSockkitError } from '@sockkit/core';
import { computed, nextTick, onMounted, onScopeDispose, type Ref, ref, shallowRef, watch } from 'vue';
import type { DocMeta, Role } from '../contract.js';
import { type PendingEdits, replayPending } from '../shared/pending-edits.js';
import { CollabSync, isRetryable, type SyncStatus, type SyncTransport } from '../shared/sync-engine.js';
import { createEditor, setReadOnly } from './editor/create-editor.js';
import { keepRemoteCursors, setRemoteCursor } from './editor/remote-cursors.js';
import { identity } from './identity.js';
import { online } from './network.js';
import { dropStash, removeKey, saveStash, stashesOf } from './offline-stash.js';
import { LARGE_DOC, type PreviewSource, previewSource } from './preview-window.js';
import { forgetJoinToken } from './route.js';
import { client, me, useConnectionState, usePresence, useSubscription } from './sockkit.js';

const newClientID = () => crypto.randomUUID().slice(0, 13);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Opens document `id` into `container`, first joining with share link token `join` when given. */
export function useDocSession(id: string, container: Ref<HTMLElement | undefined>, join?: string) {
  const meta = shallowRef<DocMeta>();
  /** Why this person may not open the document (no role, a revoked link, access removed). */
  const noAccess = ref<string>();
  const role = computed<Role | undefined>(() => meta.value?.role);
  /** Whether the server let this person open the document: only then are its topics joined. */
  const granted = computed(() => meta.value !== undefined && !missing.value && noAccess.value === undefined);
  let joinToken = join;
  const source = ref('');
  const previewWindow = shallowRef<PreviewSource['window']>();
  const status = ref<SyncStatus>('saved');
  const unconfirmed = ref(0);
  const problem = ref<string>();
  /** Edits kept by an earlier page that reached the server only through this one. */
  const restored = ref(0);
  /** Why this page last rebuilt its editor from the server (applying an update threw). */
  const resynced = ref<string>();
  const missing = ref(false);
  const loading = ref(true);
  const clientID = ref(newClientID());
  let view: EditorView | undefined;
  let sync: CollabSync | undefined;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  let cursorTimer: ReturnType<typeof setTimeout> | undefined;
  let keepTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether this session's unconfirmed edits are in localStorage. */
  let kept = false;
  /** Unsaved edits of broken editors that the browser would not keep: replayed by the next open. */
  const carried: PendingEdits[] = [];
  /** Collab client ids of broken editors: their replay is this page's own, not an earlier visit's. */
  const brokenIDs = new Set<string>();
  let disposed = false;
  const transport: SyncTransport = {
    push: (version, updates) => client.call.pushUpdates({ id, version, updates }),
    pull: (since) => client.call.pullUpdates({ id, since }),
  };

  const connection = useConnectionState();
  /**
   * The document's channel holds as many people as the server allows in presence
   * (`limits.maxPresenceMembers`): this page follows it without joining presence.
   */
  const crowded = ref(false);
  const rejoining = ref(false);

  const docSub = useSubscription(
    'doc',
    { id },
    {
      presence: () =>
        crowded.value
          ? undefined
          : { name: identity.name || 'anonymous', color: identity.color, clientID: clientID.value },
      onMessage(message) {
        if (message.type === 'deleted') {
          missing.value = true;
          teardown(false);
        } else sync?.receive(message.since, message.updates);
      },
      onRecovered: () => sync?.resync(),
      enabled: () => granted.value && !rejoining.value,
    },
  );
  const presence = usePresence(docSub);
  watch(docSub.error, async (error) => {
    if (error?.code !== 'LIMIT_EXCEEDED' || crowded.value) return;
    crowded.value = true; // subscribe again, without presence
    rejoining.value = true;
    await nextTick();
    rejoining.value = false;
  });

  useSubscription(
    'cursors',
    { id },
    {
      onMessage(cursor) {
        if (!view || cursor.clientID === clientID.value) return;
        const present = presence.members.value.some((m) => m.state.clientID === cursor.clientID);
        if (present) view.dispatch({ effects: setRemoteCursor.of(cursor) });
      },
      enabled: granted,
    },
  );

  useSubscription('docs', () => ({ user: me.value?.user ?? '' }), {
    enabled: () => me.value !== undefined,
    onMessage(message) {
      if (message.type === 'upsert' && message.doc.id === id) meta.value = message.doc;
      if (message.type === 'deleted' && message.id === id) missing.value = true;
      if (message.type === 'removed' && message.id === id) {
        noAccess.value = 'The owner removed your access to this document.';
        teardown(false);
      }
    },
  });

  // A viewer's editor is read-only; the owner may change the role while the page is open.
  watch(role, (now) => {
    if (view && now) setReadOnly(view, now === 'viewer');
  });

  // Cursors of people who left disappear; newcomers get our cursor at once.
  watch(presence.members, (members, before) => {
    view?.dispatch({ effects: keepRemoteCursors.of(new Set(members.map((m) => m.state.clientID))) });
    if (members.length > (before?.length ?? 0)) publishCursor(0);
  });

  /** Whether edits may not reach the server for a while: no network, or no socket. */
  const cutOff = computed(() => !online.value || connection.state.value !== 'open');

  watch(online, (now) => {
    if (!now) keepPending();
  });

  watch(connection.state, (state) => {
    if (state !== 'open') return keepPending();
    if (!view && !missing.value && noAccess.value === undefined) void open();
    else sync?.resync();
  });

  /**
   * Puts this session's unconfirmed edits in localStorage (or takes them out once confirmed),
   * so that closing the tab before they are saved loses nothing.
   */
  function keepPending(): void {
    clearTimeout(keepTimer);
    keepTimer = undefined;
    const edits = sync?.pending();
    if (!edits) {
      if (kept) dropStash(id, clientID.value);
      kept = false;
      return;
    }
    kept = saveStash(id, edits);
    if (!kept) {
      problem.value =
        'This browser refused to keep your unsaved edits (storage full or disabled): keep this tab open until they are saved.';
    }
  }

  /** After a local edit: keep the edits soon when they may not reach the server for a while. */
  function scheduleKeep(): void {
    if (keepTimer !== undefined) return;
    keepTimer = setTimeout(() => {
      keepTimer = undefined;
      if (cutOff.value || status.value === 'waiting') keepPending();
    }, 500);
  }

  // Mobile browsers may discard a hidden tab without a pagehide.
  const keepOnHide = () => {
    if (document.visibilityState === 'hidden') keepPending();
  };

  /** Sends this editor's selection at most once per `delay` ms (the latest one when it fires). */
  function publishCursor(delay = 60): void {
    if (cursorTimer !== undefined) return;
    cursorTimer = setTimeout(() => {
      cursorTimer = undefined;
      if (!view || !sync || connection.state.value !== 'open') return;
      const { anchor, head } = view.state.selection.main;
      client.publish
        .cursors(
          { id },
          {
            clientID: clientID.value,
            name: identity.name || 'anonymous',
            color: identity.color,
            anchor,
            head,
            version: sync.version,
          },
        )
        .catch(() => {});
    }, delay);
  }

  /** Refreshes the preview soon; for large documents when the page is idle, so typing comes first. */
  function schedulePreview(): void {
    if (previewTimer !== undefined || !view) return;
    const large = view.state.doc.length > LARGE_DOC;
    const refresh = () => {
      previewTimer = undefined;
      if (!view) return;
      const picked = previewSource(view.state.doc, view.viewport.from, view.viewport.to);
      source.value = picked.text;
      previewWindow.value = picked.window;
    };
    previewTimer = setTimeout(
      () => {
        if (large && 'requestIdleCallback' in window) window.requestIdleCallback(refresh, { timeout: 1000 });
        else refresh();
      },
      large ? 200 : 50,
    );
  }

  /**
   * Ends the editor. `keep`: its unconfirmed edits stay in localStorage for the next replay;
   * returns whether there were any.
   */
  function teardown(keep: boolean): boolean {
    if (keep) keepPending();
    else if (kept) dropStash(id, clientID.value);
    const left = kept;
    kept = false;
    sync?.dispose();
    view?.destroy();
    sync = undefined;
    view = undefined;
    return left;
  }

  /**
   * Saves edits kept by earlier pages of this document (closed before they were saved).
   * False when the link went down: they stay kept, and the next open tries again.
   */
  async function replayKept(): Promise<boolean> {
    const entries: { key?: string; edits: PendingEdits }[] = [
      ...carried.map((edits) => ({ edits })),
      ...stashesOf(id),
    ];
    for (const { key, edits } of entries) {
      const own = brokenIDs.has(edits.clientID);
      try {
        const saved = await replayPending(edits, transport);
        if (!own) restored.value += saved;
      } catch (error) {
        if (isRetryable(error)) return false;
        const what = own ? 'Your unsaved edits' : 'Edits kept from an earlier visit';
        problem.value = `${what} could not be saved (${isSockkitError(error) ? error.code : 'error'}: ${describe(error)}); they were discarded.`;
      }
      if (key) removeKey(key);
      else carried.splice(carried.indexOf(edits), 1);
    }
    return true;
  }

  /**
   * Applying an update threw, so the editor may no longer show (or hold) what the server has.
   * Rebuilds it from the server with `edits`, this page's unsaved edits as they stood before,
   * replayed first; kept in localStorage meanwhile, so a closed tab loses nothing either.
   */
  function recover(error: unknown, edits: PendingEdits | undefined): void {
    const broken = view;
    sync?.dispose();
    sync = undefined;
    view = undefined;
    // Not teardown(true): the broken editor's own state is not kept, only `edits`.
    queueMicrotask(() => broken?.destroy());
    kept = false;
    if (edits) {
      brokenIDs.add(edits.clientID);
      if (!saveStash(id, edits)) carried.push(edits);
      status.value = 'saving';
    }
    resynced.value = `${error instanceof Error ? error.name : 'error'}: ${describe(error)}`;
    void open();
  }

  async function open(): Promise<void> {
    loading.value = true;
    teardown(true); // a reopen: what the old editor had not saved is replayed below
    let opened: Awaited<ReturnType<typeof client.call.openDoc>>;
    try {
      if (joinToken) {
        meta.value = await client.call.joinDoc({ id, token: joinToken });
        joinToken = undefined;
        forgetJoinToken();
      }
      if (!(await replayKept())) {
        loading.value = false;
        return; // opened again when the connection is back
      }
      opened = await client.call.openDoc({ id });
    } catch (error) {
      loading.value = false;
      if (isSockkitError(error, 'NOT_FOUND')) missing.value = true;
      else if (isSockkitError(error, 'FORBIDDEN')) {
        noAccess.value = joinToken
          ? 'This share link was revoked or replaced. Ask the owner for a new one.'
          : 'You have no access to this document. Ask its owner for a share link.';
      } else if (!isSockkitError(error, 'UNAVAILABLE')) problem.value = describe(error);
      return; // UNAVAILABLE: opened again when the connection is back
    }
    if (disposed || !container.value) return;
    clientID.value = newClientID();
    meta.value = opened.meta;
    const editor = createEditor({
      parent: container.value,
      text: opened.text,
      version: opened.version,
      clientID: clientID.value,
      readOnly: opened.meta.role === 'viewer',
      hooks: {
        onLocalChange: () => {
          sync?.changed();
          unconfirmed.value = sync?.unconfirmed ?? 0;
          scheduleKeep();
        },
        onDocChange: schedulePreview,
        onViewport: schedulePreview,
        onSelection: () => publishCursor(),
        onRefused: (reason) => {
          problem.value = reason;
        },
        onBroken: (error) => recover(error, sync?.pending()),
      },
    });
    view = editor;
    sync = new CollabSync(editor, transport, {
      onStatus: (next) => {
        status.value = next;
        unconfirmed.value = sync?.unconfirmed ?? 0;
        if (next === 'waiting' || (next === 'saved' && kept)) keepPending();
      },
      onFatal: (error) => {
        teardown(false);
        if (isSockkitError(error, 'NOT_FOUND')) {
          missing.value = true;
          return;
        }
        problem.value = `The server refused a change (${isSockkitError(error) ? error.code : 'error'}: ${describe(error)}). The document was reloaded; your last unsaved edits were discarded.`;
        void open();
      },
      onDiverged: recover,
    });
    status.value = sync.status;
    unconfirmed.value = 0;
    sync.resync();
    schedulePreview();
    loading.value = false;
    exposeForTests();
  }

  function exposeForTests(): void {
    (window as unknown as { liveDocs?: unknown }).liveDocs = {
      text: () => view?.state.doc.toString(),
      version: () => sync?.version,
      unconfirmed: () => sync?.unconfirmed,
      status: () => sync?.status,
      view: () => view,
    };
  }

  onMounted(() => {
    if (connection.state.value === 'open') void open();
    window.addEventListener('pagehide', keepPending);
    document.addEventListener('visibilitychange', keepOnHide);
  });

  onScopeDispose(() => {
    disposed = true;
    clearTimeout(previewTimer);
    clearTimeout(cursorTimer);
    window.removeEventListener('pagehide', keepPending);
    document.removeEventListener('visibilitychange', keepOnHide);
    // Leaving the document inside the app: save what is left now rather than on the next visit.
    if (teardown(true) && connection.state.value === 'open') void replayKept();
  });

  return {
    meta,
    role,
    noAccess,
    source,
    previewWindow,
    status,
    unconfirmed,
    problem,
    restored,
    resynced,
    missing,
    crowded,
    loading,
    clientID,
    presence,
    cutOff,
    saved: computed(() => status.value === 'saved' && unconfirmed.value === 0),
    focus: () => view?.focus(),
    /** The editor's text now (for export). */
    text: () => view?.state.doc.toString() ?? '',
  };
}
