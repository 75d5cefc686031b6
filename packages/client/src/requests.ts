/**
 * Requests this client sent or will send (calls, publishes, presence, auth) and the queue of
 * those waiting to go: a request made while disconnected waits, with its timeout and signal
 * already running, and goes out once connected; one in flight when the link drops fails with
 * UNAVAILABLE unless it is idempotent, in which case it is sent again.
 *
 * Calls also wait for a slot: the server runs at most `maxCallsInFlight` of a connection's
 * calls (announced in `welcome`) and refuses more, so the client holds the rest back until
 * answers free slots. A call given up on (timeout, abort) keeps its slot until the server
 * answers it: the server counts it until its handler has settled.
 */
import { type Clock, SockkitError } from '@sockkit/core';
import { cancelFrame, EARLY_BOUNDS, IdTable, PendingCalls, utf8Length } from '@sockkit/core/protocol';
import type { CallOptions, ClientSettings, ConnectionState } from './options.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_QUEUED = 1000;

/** One request and whether it has left. */
interface Outgoing {
  readonly id: number;
  readonly frame: string;
  sent: boolean;
  /** A `call`: it takes one of the server's call slots. */
  readonly call: boolean;
  /** Re-sent after a reconnect instead of failing. */
  readonly idempotent: boolean;
}

/** What requests need from the client. */
export interface RequestHost {
  readonly state: ConnectionState;
  /** Queues a frame on the open socket. */
  send(frame: string): void;
}

/** How a request behaves. */
export interface RequestKind {
  /** A call: held back while the server's call slots are taken. */
  call?: boolean;
  /** Re-sent after a reconnect instead of failing. */
  idempotent?: boolean;
}

const NONE: RequestKind = {};
/** Kinds of a call, shared: a call allocates no kind of its own. */
export const CALL: RequestKind = { call: true };
export const IDEMPOTENT_CALL: RequestKind = { call: true, idempotent: true };

/** The limits of the server the client is connected to, from `welcome`. */
export interface ServerLimits {
  readonly maxMessageBytes: number;
  readonly maxCallsInFlight: number;
}

/** The client's outgoing requests. */
export class Requests {
  /** Largest frame the server accepts (from `welcome`). */
  maxMessageBytes = Number.POSITIVE_INFINITY;
  #maxCallsInFlight = Number.POSITIVE_INFINITY;
  readonly #pending: PendingCalls;
  /** Ids of calls the server holds a slot for: sent, and not answered yet. */
  #slots = new IdTable<true>();
  /** Requests not sent yet, oldest first. */
  #waiting: Outgoing[] = [];
  readonly #host: RequestHost;
  readonly #options: Pick<ClientSettings, 'timeout' | 'offline' | 'maxQueued'>;

  constructor(
    host: RequestHost,
    options: Pick<ClientSettings, 'timeout' | 'offline' | 'maxQueued'>,
    clock: Clock,
  ) {
    this.#host = host;
    this.#options = options;
    // A request given up on (timeout, abort) that left is cancelled on the server.
    this.#pending = new PendingCalls(clock, (id, data) => {
      if ((data as Outgoing).sent) this.#host.send(cancelFrame(id));
    });
  }

  /** The server announced its limits. */
  announced(limits: ServerLimits): void {
    this.maxMessageBytes = limits.maxMessageBytes;
    this.#maxCallsInFlight = Math.max(1, limits.maxCallsInFlight);
  }

  /** Registers request `id` and sends it now, or when connected and a call slot is free. */
  track(
    id: number,
    frame: string,
    label: string,
    options: CallOptions,
    kind: RequestKind = NONE,
    timeout?: number,
  ): Promise<unknown> {
    const { state } = this.#host;
    if (state === 'closed') return Promise.reject(new SockkitError('UNAVAILABLE', 'client is closed'));
    if (frame.length > this.maxMessageBytes / 3 && utf8Length(frame) > this.maxMessageBytes) {
      const message = `${label} exceeds the server's limit of ${this.maxMessageBytes} bytes`;
      return Promise.reject(
        new SockkitError('PAYLOAD_TOO_LARGE', message, { details: { limit: this.maxMessageBytes } }),
      );
    }
    const out: Outgoing = {
      id,
      frame,
      sent: false,
      call: kind.call === true,
      idempotent: kind.idempotent === true,
    };
    const goesNow = state === 'open' && (!out.call || this.#slots.size < this.#maxCallsInFlight);
    // Calls held back for a slot while connected are bounded by their timeouts, as any call is;
    // requests made while disconnected by `maxQueued`.
    if (state !== 'open') {
      if (this.#options.offline === 'reject')
        return Promise.reject(new SockkitError('UNAVAILABLE', 'not connected'));
      const max = this.#options.maxQueued ?? DEFAULT_MAX_QUEUED;
      if (this.#queued() >= max) {
        const message = `more than ${max} calls queued while offline`;
        return Promise.reject(new SockkitError('LIMIT_EXCEEDED', message, { details: { limit: max } }));
      }
    }
    const promise = this.#pending.add(
      id,
      {
        label,
        timeoutMs: options.timeout ?? timeout ?? this.#options.timeout ?? DEFAULT_TIMEOUT_MS,
        signal: options.signal,
      },
      out,
    );
    if (goesNow) this.#dispatch(out);
    else this.#waiting.push(out);
    return promise;
  }

  /** An answer to request `id` arrived; its call slot, if any, is free again. */
  settle(id: number, error: SockkitError | undefined, value?: unknown): void {
    this.#pending.settle(id, error, value);
    if (this.#slots.delete(id) && this.#waiting.length > 0) this.#sendWaiting();
  }

  /** Connected: sends waiting requests, in the order they were made, calls as slots allow. */
  sendQueued(): void {
    this.#sendWaiting();
  }

  /**
   * Sends what waits, oldest first, right behind `hello` (protocol v2) and in its frame: as many
   * requests as fit in half of EARLY_BOUNDS (UTF-8 bytes of that batch frame, `hello`'s
   * `helloBytes` included, since the server charges the frame whole); the rest wait for
   * `welcome`. They count as sent: if the link drops before `welcome`, they fail or are re-sent
   * as any request in flight.
   */
  sendEarly(helloBytes: number): void {
    let left = EARLY_BOUNDS.messages / 2;
    let bytes = EARLY_BOUNDS.bytes / 2 - 2 - helloBytes; // a batch's brackets, and hello
    let done = 0;
    for (const out of this.#waiting) {
      if (!out.sent && this.#pending.has(out.id)) {
        bytes -= utf8Length(out.frame) + 1;
        if (--left < 0 || bytes < 0) break;
        this.#dispatch(out);
      }
      done++;
    }
    this.#waiting = this.#waiting.slice(done);
  }

  /** The link dropped: requests the server may have run fail; idempotent ones wait to be re-sent. */
  linkLost(error: SockkitError): void {
    this.#slots = new IdTable();
    this.#pending.rejectWhere(error, (data) => (data as Outgoing).sent && !(data as Outgoing).idempotent);
    const resend: Outgoing[] = [];
    for (const [, data] of this.#pending.entriesData()) {
      const out = data as Outgoing;
      if (out.sent) {
        out.sent = false;
        resend.push(out);
      }
    }
    // Re-sent ones go first: they were made before anything still waiting.
    this.#waiting = [...resend, ...this.#waiting];
  }

  /** The client closed: everything fails. */
  rejectAll(error: SockkitError): void {
    this.#waiting = [];
    this.#slots = new IdTable();
    this.#pending.rejectWhere(error);
  }

  #dispatch(out: Outgoing): void {
    out.sent = true;
    if (out.call) this.#slots.set(out.id, true);
    this.#host.send(out.frame);
  }

  #sendWaiting(): void {
    if (this.#host.state !== 'open') return;
    const rest: Outgoing[] = [];
    for (const out of this.#waiting) {
      if (out.sent || !this.#pending.has(out.id)) continue; // sent already, or given up while waiting
      if (out.call && this.#slots.size >= this.#maxCallsInFlight) rest.push(out);
      else this.#dispatch(out);
    }
    this.#waiting = rest;
  }

  #queued(): number {
    // Requests given up on while waiting leave lazily; count only live ones.
    this.#waiting = this.#waiting.filter((out) => !out.sent && this.#pending.has(out.id));
    return this.#waiting.length;
  }
}
