/**
 * Calls from the server to one client: call ids and the table of calls awaiting an answer.
 * Inputs go out as given (typed by the contract) and are validated once, by the client that
 * receives them; results are validated here, on arrival. Created on first use, so a connection
 * the server never calls carries none of it.
 */
import { SockkitError, type WireError } from '@sockkit/core';
import {
  type ClientMessage,
  callFrame,
  cancelFrame,
  lookup,
  PendingCalls,
  validate,
} from '@sockkit/core/protocol';
import type { ServerCallOptions } from './options.js';
import type { Peer } from './peer.js';
import type { ServerRuntime } from './runtime.js';

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** Server → client calls of one connection. */
export class ClientCalls {
  private readonly pending: PendingCalls;
  private nextId = 1;

  constructor(
    private readonly peer: Peer,
    private readonly rt: ServerRuntime,
  ) {
    this.pending = new PendingCalls(rt.clock, (gaveUp) => this.peer.send(cancelFrame(gaveUp)));
  }

  /** Calls procedure `name` on the client. */
  call(name: string, input: unknown, options: ServerCallOptions = {}): Promise<unknown> {
    const def = lookup(this.rt.contract.client, name);
    if (!def)
      return Promise.reject(new SockkitError('NOT_FOUND', `no client procedure '${name}' in the contract`));
    if (!this.peer.open) return Promise.reject(new SockkitError('UNAVAILABLE', 'connection is not open'));
    let frame: string;
    const id = this.nextId++;
    try {
      frame = callFrame(id, name, this.rt.codec.encode(input));
    } catch (error) {
      return Promise.reject(
        new SockkitError('BAD_REQUEST', `input of client.${name} cannot be encoded`, { cause: error }),
      );
    }
    const promise = this.pending.add(
      id,
      {
        label: `client.${name}`,
        timeoutMs: options.timeout ?? def.timeout ?? DEFAULT_CALL_TIMEOUT_MS,
        signal: options.signal,
      },
      name,
    );
    this.peer.send(frame);
    return promise;
  }

  /** A `result` or `error` from the client. */
  answer(message: Extract<ClientMessage, { t: 'result' | 'error' }>): void {
    const id = message.id;
    if (id === undefined) return; // about a whole frame: the connection reports it (rate-limited)
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
      this.peer.sendError(undefined, {
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
