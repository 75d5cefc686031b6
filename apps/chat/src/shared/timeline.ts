/**
 * One room's messages as a page holds them: whatever arrives (a history page, a topic
 * message, a `changes` page, a send's reply) is applied by id, and a message replaces the one
 * held only when its revision is newer. Arrival order and repeats therefore never matter:
 * the topic may deliver a message the history page also had, or the same revision twice.
 */
import type { ChatMessage } from '../contract.js';

export class Timeline {
  private readonly byId = new Map<number, ChatMessage>();
  private sorted: ChatMessage[] = [];
  private dirty = false;
  /** The highest revision seen: where a `changes` catch-up starts. */
  rev = 0;
  /** Whether older messages than the oldest held exist on the server. */
  more = true;

  /**
   * Applies messages (new ones, changes); returns whether anything changed. A change to a
   * message older than the oldest held is left out while older history is still to be paged
   * in: it would sit above a gap, and its page brings it in its current state.
   */
  apply(messages: readonly ChatMessage[]): boolean {
    const oldest = this.more ? this.oldest() : undefined;
    return this.put(oldest === undefined ? messages : messages.filter((message) => message.id >= oldest));
  }

  private put(messages: readonly ChatMessage[]): boolean {
    let changed = false;
    for (const message of messages) {
      this.rev = Math.max(this.rev, message.rev);
      const held = this.byId.get(message.id);
      if (held && held.rev >= message.rev) continue;
      this.byId.set(message.id, message);
      changed = true;
    }
    if (changed) this.dirty = true;
    return changed;
  }

  /** Applies an older page of history; `more` says whether there is one before it. */
  applyPage(page: { messages: readonly ChatMessage[]; more: boolean }): void {
    const oldest = this.oldest();
    this.put(page.messages);
    const first = page.messages[0]?.id;
    // Only the page reaching furthest back says whether more lie beyond it.
    if (oldest === undefined || first === undefined || first <= oldest) this.more = page.more;
  }

  /** The messages held, oldest first, removed ones included (a new array after each change). */
  messages(): readonly ChatMessage[] {
    if (this.dirty) {
      this.sorted = [...this.byId.values()].sort((a, b) => a.id - b.id);
      this.dirty = false;
    }
    return this.sorted;
  }

  /** The id of the oldest message held. */
  oldest(): number | undefined {
    return this.messages()[0]?.id;
  }

  /** The id of the newest message held, 0 for none. */
  newest(): number {
    return this.messages().at(-1)?.id ?? 0;
  }
}
