/**
 * Messages written but not yet confirmed by the server, kept (in the browser: localStorage)
 * until they are. Each carries the idempotency key it was given when written, and every try
 * sends that same key: the server stores a key once, so a message sent again after a lost
 * reply, a reconnect or a reload is never stored twice.
 *
 * One flush runs at a time, oldest first, so a room's messages keep the order they were
 * written in. A failure that retrying can fix (not connected, timeout, rate limit) stops the
 * flush and keeps the rest for the next one (the page flushes when the link is back); a
 * refusal that retrying cannot fix marks that message failed, for the page to show.
 */
import { ERROR_CODES, isSockkitError } from '@sockkit/core';
import type { ChatMessage } from '../contract.js';

/** A message waiting for the server's confirmation. */
export interface PendingSend {
  key: string;
  room: string;
  text: string;
  /** Epoch ms when it was written. */
  at: number;
  /** Why the server refused it for good; it is then no longer sent. */
  error?: string;
}

/** Where pending sends survive a reload. */
export interface OutboxStorage {
  load(): PendingSend[];
  save(pending: readonly PendingSend[]): void;
}

/** Keeps pending sends in memory only. */
export const memoryStorage = (): OutboxStorage => {
  let kept: PendingSend[] = [];
  return {
    load: () => kept,
    save: (pending) => {
      kept = [...pending];
    },
  };
};

/** The call that stores a message (the client's `send`). */
export type SendCall = (input: { room: string; key: string; text: string }) => Promise<ChatMessage>;

/** A fresh idempotency key: 128 random bits, URL-safe. */
export function newSendKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export class Outbox {
  private pending: PendingSend[];
  private flushing: Promise<void> | undefined;
  private again = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: OutboxStorage,
    private readonly send: SendCall,
    private readonly onSent: (message: ChatMessage) => void = () => {},
  ) {
    this.pending = storage.load();
  }

  /** What is waiting, oldest first (a new array after each change). */
  list(): readonly PendingSend[] {
    return this.pending;
  }

  /** Calls `listener` after each change; returns its remover. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps a new message (durably, before anything is sent) and tries to send it. */
  add(room: string, text: string, now = Date.now()): PendingSend {
    const entry: PendingSend = { key: newSendKey(), room, text, at: now };
    this.update([...this.pending, entry]);
    void this.flush();
    return entry;
  }

  /** Forgets a message the server refused. */
  discard(key: string): void {
    this.update(this.pending.filter((entry) => entry.key !== key));
  }

  /** Sends what waits, oldest first; resolves when this round is over. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.run().finally(() => {
      this.flushing = undefined;
      if (this.again) {
        this.again = false;
        void this.flush();
      }
    });
    return this.flushing;
  }

  private async run(): Promise<void> {
    for (;;) {
      const next = this.pending.find((entry) => entry.error === undefined);
      if (!next) return;
      try {
        const message = await this.send({ room: next.room, key: next.key, text: next.text });
        this.update(this.pending.filter((entry) => entry.key !== next.key));
        this.onSent(message);
      } catch (error) {
        if (!isSockkitError(error) || ERROR_CODES[error.code].retryable) return;
        const reason = `${error.code}: ${error.message}`;
        this.update(
          this.pending.map((entry) => (entry.key === next.key ? { ...entry, error: reason } : entry)),
        );
      }
    }
  }

  private update(pending: PendingSend[]): void {
    this.pending = pending;
    this.storage.save(pending);
    for (const listener of this.listeners) listener();
  }
}
