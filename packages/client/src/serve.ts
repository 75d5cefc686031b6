/**
 * Serving the server's calls on this client: look up the handler, validate the input against
 * the contract when one was given at run time (else the input is taken as the server sent it),
 * run it with an AbortSignal the server can cancel, answer once.
 */
import { type Codec, type ContractDef, SockkitError } from '@sockkit/core';
import { errorFrame, lookup, resultFrame, validate } from '@sockkit/core/protocol';

/** What a client-side handler receives besides its input. */
export interface ClientCallContext {
  /** Aborts when the server cancels the call or the connection drops. */
  readonly signal: AbortSignal;
  /** The procedure being called. */
  readonly procedure: string;
}

type AnyHandler = (input: unknown, ctx: ClientCallContext) => unknown;

/** Runs server → client calls for one client. */
export class CallServer {
  /** Made with the first call the server makes: most clients serve none. */
  #running: Map<number, AbortController> | undefined;

  readonly #contract: ContractDef | undefined;
  readonly #handlers: Record<string, AnyHandler>;
  readonly #codec: Codec;
  readonly #send: (frame: string) => void;

  constructor(
    contract: ContractDef | undefined,
    handlers: Record<string, AnyHandler>,
    codec: Codec,
    send: (frame: string) => void,
  ) {
    this.#contract = contract;
    this.#handlers = handlers;
    this.#codec = codec;
    this.#send = send;
  }

  /** Handles a `call` from the server. */
  async serve(id: number, name: string, json: unknown, meta: unknown): Promise<void> {
    const def = this.#contract && lookup(this.#contract.client, name);
    const handler = lookup(this.#handlers, name);
    if ((this.#contract && !def) || !handler) {
      this.#send(errorFrame(id, { code: 'NOT_FOUND', message: `no client handler for '${name}'` }));
      return;
    }
    const controller = new AbortController();
    this.#running ??= new Map();
    this.#running.set(id, controller);
    let frame: string;
    try {
      const decoded = this.#codec.decode(json, meta);
      // With the contract: checked against it (a procedure without input gets none); without it: as the server sent it.
      const input = !def
        ? decoded
        : def.input
          ? validate(def.input, decoded, `input of client.${name}`)
          : undefined;
      const output = await handler(input, { signal: controller.signal, procedure: name });
      frame = resultFrame(id, this.#codec.encode(output));
    } catch (error) {
      frame = errorFrame(id, SockkitError.from(error).toWire());
    }
    if (this.#running?.get(id) !== controller) return; // cancelled or link dropped: nobody awaits
    this.#running?.delete(id);
    this.#send(frame);
  }

  /** The server cancelled call `id`. */
  cancel(id: number): void {
    this.#running?.get(id)?.abort(new SockkitError('CANCELLED', 'cancelled by the server'));
    this.#running?.delete(id);
  }

  /** The link dropped: every running handler's signal aborts. */
  abortAll(): void {
    if (!this.#running) return;
    for (const controller of this.#running.values())
      controller.abort(new SockkitError('UNAVAILABLE', 'connection lost'));
    this.#running.clear();
  }
}
