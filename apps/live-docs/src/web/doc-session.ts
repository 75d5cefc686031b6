/**
 * `useDocSession`: everything one open document needs, bound to the calling component —
 * the editor, the sync engine on sockkit calls, the `doc` topic (updates, presence), the
 * `cursors` topic (volatile), reconnect handling and the errors the UI shows.
 */
import type { EditorView } from '@codemirror/view';
import { isSockkitError } from '@sockkit/core';
import { computed, onMounted, onScopeDispose, type Ref, ref, shallowRef, watch } from 'vue';
import type { DocMeta } from '../contract.js';
import { CollabSync, type SyncStatus } from '../shared/sync-engine.js';
import { createEditor } from './editor/create-editor.js';
import { keepRemoteCursors, setRemoteCursor } from './editor/remote-cursors.js';
import { identity } from './identity.js';
import { LARGE_DOC, type PreviewSource, previewSource } from './preview-window.js';
import { client, useConnectionState, usePresence, useSubscription } from './sockkit.js';

const newClientID = () => crypto.randomUUID().slice(0, 13);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Opens document `id` into `container`. */
export function useDocSession(id: string, container: Ref<HTMLElement | undefined>) {
  const meta = shallowRef<DocMeta>();
  const source = ref('');
  const previewWindow = shallowRef<PreviewSource['window']>();
  const status = ref<SyncStatus>('saved');
  const unconfirmed = ref(0);
  const problem = ref<string>();
  const missing = ref(false);
  const loading = ref(true);
  const clientID = ref(newClientID());
  let view: EditorView | undefined;
  let sync: CollabSync | undefined;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  let cursorTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const connection = useConnectionState();

  const docSub = useSubscription(
    'doc',
    { id },
    {
      presence: () => ({
        name: identity.name || 'anonymous',
        color: identity.color,
        clientID: clientID.value,
      }),
      onMessage(message) {
        if (message.type === 'deleted') {
          missing.value = true;
          teardown();
        } else sync?.receive(message.since, message.updates);
      },
      onRecovered: () => sync?.resync(),
    },
  );
  const presence = usePresence(docSub);

  useSubscription(
    'cursors',
    { id },
    {
      onMessage(cursor) {
        if (!view || cursor.clientID === clientID.value) return;
        const present = presence.members.value.some((m) => m.state.clientID === cursor.clientID);
        if (present) view.dispatch({ effects: setRemoteCursor.of(cursor) });
      },
    },
  );

  useSubscription('docs', undefined, {
    onMessage(message) {
      if (message.type === 'upsert' && message.doc.id === id) meta.value = message.doc;
      if (message.type === 'deleted' && message.id === id) missing.value = true;
    },
  });

  // Cursors of people who left disappear; newcomers get our cursor at once.
  watch(presence.members, (members, before) => {
    view?.dispatch({ effects: keepRemoteCursors.of(new Set(members.map((m) => m.state.clientID))) });
    if (members.length > (before?.length ?? 0)) publishCursor(0);
  });

  watch(connection.state, (state) => {
    if (state !== 'open') return;
    if (!view && !missing.value) void open();
    else sync?.resync();
  });

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

  function teardown(): void {
    sync?.dispose();
    view?.destroy();
    sync = undefined;
    view = undefined;
  }

  async function open(): Promise<void> {
    loading.value = true;
    let opened: Awaited<ReturnType<typeof client.call.openDoc>>;
    try {
      opened = await client.call.openDoc({ id });
    } catch (error) {
      loading.value = false;
      if (isSockkitError(error, 'NOT_FOUND')) missing.value = true;
      else if (!isSockkitError(error, 'UNAVAILABLE')) problem.value = describe(error);
      return; // UNAVAILABLE: opened again when the connection is back
    }
    if (disposed || !container.value) return;
    teardown();
    clientID.value = newClientID();
    meta.value = opened.meta;
    const editor = createEditor({
      parent: container.value,
      text: opened.text,
      version: opened.version,
      clientID: clientID.value,
      hooks: {
        onLocalChange: () => {
          sync?.changed();
          unconfirmed.value = sync?.unconfirmed ?? 0;
        },
        onDocChange: schedulePreview,
        onViewport: schedulePreview,
        onSelection: () => publishCursor(),
        onRefused: (reason) => {
          problem.value = reason;
        },
      },
    });
    view = editor;
    sync = new CollabSync(
      editor,
      {
        push: (version, updates) => client.call.pushUpdates({ id, version, updates }),
        pull: (since) => client.call.pullUpdates({ id, since }),
      },
      {
        onStatus: (next) => {
          status.value = next;
          unconfirmed.value = sync?.unconfirmed ?? 0;
        },
        onFatal: (error) => {
          if (isSockkitError(error, 'NOT_FOUND')) {
            missing.value = true;
            teardown();
            return;
          }
          problem.value = `The server refused a change (${isSockkitError(error) ? error.code : 'error'}: ${describe(error)}). The document was reloaded; your last unsaved edits were discarded.`;
          void open();
        },
      },
    );
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
  });

  onScopeDispose(() => {
    disposed = true;
    clearTimeout(previewTimer);
    clearTimeout(cursorTimer);
    teardown();
  });

  return {
    meta,
    source,
    previewWindow,
    status,
    unconfirmed,
    problem,
    missing,
    loading,
    clientID,
    presence,
    connection,
    saved: computed(() => status.value === 'saved'),
    focus: () => view?.focus(),
  };
}
