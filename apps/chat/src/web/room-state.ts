/**
 * What the page holds of each room it opened: a timeline (kept while the page lives, so going
 * back to a room shows it at once) and how it is brought up to date. `sync` loads the newest
 * page when nothing is held, then asks for the changes since the newest revision held: that
 * closes the gap before a subscription was live and the one a resume could not replay.
 */
import type { ChatMessage } from '../contract.js';
import { Timeline } from '../shared/timeline.js';
import type { ChatClient } from './sockkit.js';

/** Pages of changes a catch-up reads before it starts over from the newest page instead. */
const MAX_CATCH_UP_PAGES = 10;

/** A room's timeline as an external store for `useSyncExternalStore`. */
export class RoomState {
  timeline = new Timeline();
  /** Changes with each update: the snapshot React compares. */
  version = 0;
  loadingOlder = false;
  private readonly listeners = new Set<() => void>();

  constructor(readonly room: string) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = () => this.version;

  apply(messages: readonly ChatMessage[]): void {
    if (this.timeline.apply(messages)) this.changed();
  }

  /** Brings the timeline up to date (see the module comment). */
  async sync(client: ChatClient): Promise<void> {
    if (this.timeline.messages().length === 0) {
      this.timeline.applyPage(await client.call.history({ room: this.room }));
      this.changed();
    }
    let since = this.timeline.rev;
    for (let page = 0; ; page++) {
      if (page === MAX_CATCH_UP_PAGES) {
        this.timeline = new Timeline();
        return this.sync(client);
      }
      const changes = await client.call.changes({ room: this.room, since });
      this.apply(changes.messages);
      if (!changes.more) return;
      since = changes.rev;
    }
  }

  /** Loads the page before the oldest message held. */
  async loadOlder(client: ChatClient): Promise<void> {
    const before = this.timeline.oldest();
    if (this.loadingOlder || !this.timeline.more || before === undefined) return;
    this.loadingOlder = true;
    try {
      this.timeline.applyPage(await client.call.history({ room: this.room, before }));
    } finally {
      this.loadingOlder = false;
      this.changed();
    }
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

const rooms = new Map<string, RoomState>();

/** The page's state of `room`, made on first use. */
export function roomState(room: string): RoomState {
  let state = rooms.get(room);
  if (!state) {
    state = new RoomState(room);
    rooms.set(room, state);
  }
  return state;
}
