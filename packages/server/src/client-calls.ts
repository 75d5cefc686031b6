/**
 * Calls from the server to one client: call ids, the table of calls awaiting an answer,
 * input validated before sending and results validated on arrival. Created on first use, so
 * a connection the server never calls carries none of it.
 */
import {
  type ClientMessage,
  callFrame,
  lookup,
  PendingCalls,
  SockkitError,
  validate,
  type WireError,
} from '@sockkit/core';
import type { ServerCallOptions } from './options.js';
import type { ServerRuntime } from './runtime.js';

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** The connection the calls go through. */
export interface CallLink {
  readonly id: string;
  readonly open: boolean;
  send(text: string): void;
  sendError(id: number | undefined, error: WireError): void;
}

/** Server → client calls of one connection. */
export class ClientCalls {
  private readonly pending: PendingCalls;
  private nextId = 1;

  constructor(
    private readonly link: CallLink,
    private readonly rt: ServerRuntime,
  ) {
    this.pending = new PendingCalls(rt.clock);
  }

  /** Calls procedure `name` on the client. */
  call(name: string, input: unknown, options: ServerCallOptions = {}): Promise<unknown> {
    const def = lookup(this.rt.contract.client, name);
    if (!def)
      return Promise.reject(new SockkitError('NOT_FOUND', `no client procedure '${name}' in the contract`));
    if (!this.link.open) return Promise.reject(new SockkitError('UNAVAILABLE', 'connection is not open'));
    let value: unknown;
    try {
      value = def.input ? validate(def.input, input, `input of client.${name}`) : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.nextId++;
    const promise = this.pending.add(
      id,
      {
        label: `client.${name}`,
        timeoutMs: options.timeout ?? def.timeout ?? DEFAULT_CALL_TIMEOUT_MS,
        signal: options.signal,
        onGiveUp: (gaveUp) => this.link.send(`{"t":"cancel","id":${gaveUp}}`),
      },
      name,
    );
    this.link.send(callFrame(id, name, this.rt.codec.encode(value)));
    return promise;
  }

  /** A `result` or `error` from the client. */
  answer(message: Extract<ClientMessage, { t: 'result' | 'error' }>): void {
    const id = message.id;
    if (id === undefined) {
      // An error frame about a frame the server sent: nothing awaits it, log for operators.
      if (message.t === 'error')
        this.rt.logger.warn('client reported an error', { conn: this.link.id, error: message.e });
      return;
    }
    const name = this.pending.data(id) as string | undefined;
    let outcome: ReturnType<PendingCalls['settle']>;
    if (message.t === 'error' || name === undefined) {
      outcome = this.pending.settle(
        id,
        message.t === 'error' ? SockkitError.fromWire(message.e as WireError) : undefined,
      );
    } else {
      try {
        const def = lookup(this.rt.contract.client, name)!;
        const value = validate(
          def.output,
          this.rt.codec.decode(message.d, message.m),
          `result of client.${name}`,
        );
        outcome = this.pending.settle(id, undefined, value);
      } catch (error) {
        outcome = this.pending.settle(id, SockkitError.from(error));
      }
    }
    if (outcome === 'unknown') {
      this.link.sendError(undefined, {
        code: 'BAD_REQUEST',
        message: `${message.t} for unknown call id ${id}`,
      });
    }
  }

  /** The connection closed: every call awaiting an answer fails. */
  closed(): void {
    this.pending.rejectWhere(new SockkitError('UNAVAILABLE', 'connection closed'));
  }
}
