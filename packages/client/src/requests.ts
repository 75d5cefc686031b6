/**
 * Requests this client sent or will send (calls, publishes, presence, auth), and the offline
 * queue: a request made while disconnected waits, with its timeout and signal already
 * running, and goes out once connected; one in flight when the link drops fails with
 * UNAVAILABLE unless it is idempotent, in which case it is sent again.
 */
import { type Clock, PendingCalls, SockkitError } from '@sockkit/core';
import type { CallOptions, ClientOptions, ConnectionState } from './options.js';

const DEFAULT_TIMEOUT_MS = 30_000;

/** One request and whether it has left. */
interface Outgoing {
  frame: string;
  sent: boolean;
  /** Re-sent after a reconnect instead of failing. */
  idempotent: boolean;
}

/** What requests need from the client. */
export interface RequestHost {
  readonly state: ConnectionState;
  /** Queues a frame on the open socket. */
  send(frame: string): void;
}

/** The client's outgoing requests. */
export class Requests {
  /** Largest message the server accepts (from `welcome`). */
  maxMessageBytes = Number.POSITIVE_INFINITY;
  private readonly pending: PendingCalls;

  constructor(
    private readonly host: RequestHost,
    private readonly options: Pick<ClientOptions<unknown>, 'timeout' | 'offline' | 'maxQueued'>,
    clock: Clock,
  ) {
    this.pending = new PendingCalls(clock);
  }

  /** Registers request `id` and sends it now, or when connected. */
  track(
    id: number,
    frame: string,
    label: string,
    options: CallOptions,
    idempotent: boolean,
    timeout?: number,
  ): Promise<unknown> {
    const { state } = this.host;
    if (state === 'closed') return Promise.reject(new SockkitError('UNAVAILABLE', 'client is closed'));
    if (frame.length > this.maxMessageBytes / 3 && utf8Length(frame) > this.maxMessageBytes) {
      const message = `${label} exceeds the server's limit of ${this.maxMessageBytes} bytes`;
      return Promise.reject(
        new SockkitError('PAYLOAD_TOO_LARGE', message, { details: { limit: this.maxMessageBytes } }),
      );
    }
    const open = state === 'open';
    if (!open) {
      if (this.options.offline === 'reject')
        return Promise.reject(new SockkitError('UNAVAILABLE', 'not connected'));
      const max = this.options.maxQueued ?? 1000;
      if (this.queued() >= max) {
        const message = `more than ${max} calls queued while offline`;
        return Promise.reject(new SockkitError('LIMIT_EXCEEDED', message, { details: { limit: max } }));
      }
    }
    const out: Outgoing = { frame, sent: open, idempotent };
    const promise = this.pending.add(
      id,
      {
        label,
        timeoutMs: options.timeout ?? timeout ?? this.options.timeout ?? DEFAULT_TIMEOUT_MS,
        signal: options.signal,
        onGiveUp: (gaveUp, data) => {
          if ((data as Outgoing).sent) this.host.send(`{"t":"cancel","id":${gaveUp}}`);
        },
      },
      out,
    );
    if (open) this.host.send(frame);
    return promise;
  }

  /** An answer arrived. */
  settle(id: number, error: SockkitError | undefined, value?: unknown): void {
    this.pending.settle(id, error, value);
  }

  /** Connected: sends every waiting request, in the order they were made. */
  sendQueued(): void {
    for (const [, data] of this.pending.entriesData()) {
      const out = data as Outgoing;
      if (!out.sent) {
        out.sent = true;
        this.host.send(out.frame);
      }
    }
  }

  /** The link dropped: requests the server may have run fail; idempotent ones wait to be re-sent. */
  linkLost(error: SockkitError): void {
    this.pending.rejectWhere(error, (data) => (data as Outgoing).sent && !(data as Outgoing).idempotent);
    for (const [, data] of this.pending.entriesData()) (data as Outgoing).sent = false;
  }

  /** The client closed: everything fails. */
  rejectAll(error: SockkitError): void {
    this.pending.rejectWhere(error);
  }

  private queued(): number {
    let count = 0;
    for (const [, data] of this.pending.entriesData()) if (!(data as Outgoing).sent) count++;
    return count;
  }
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
