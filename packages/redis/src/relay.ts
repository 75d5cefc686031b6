/**
 * RedisRelay: server → client calls, and disconnects, to connections that live on another
 * node, over Redis pub/sub, request and response, with a deadline.
 *
 * A request is broadcast on one channel every relay listens on; PUBLISH says how many
 * relays heard it, so the caller knows how many answers to expect. The node holding the
 * connection runs the call and answers on the caller's own reply channel; the others answer
 * "not here", so a connection that is nowhere fails fast with NOT_FOUND instead of waiting
 * for the timeout. Calls to a user go to all of the user's connections on every node. A
 * disconnect goes the same way, each node answering how many connections it closed.
 * No registry of connections is kept in Redis, so a dead node leaves nothing behind.
 */
import {
  type Clock,
  type EncodedPayload,
  SockkitError,
  systemClock,
  type TimerHandle,
  unrefTimer,
  type WireError,
} from '@sockkit/core';
import type { RelayUserResult, ServerRelay, RelayTarget as ServerRelayTarget } from '@sockkit/server';
import { relayChannel, replyChannel } from './keys.js';
import type { RedisLink } from './link.js';
import { decodeBody, encodeBody } from './wire.js';

/** What the relay needs from the local server (the server builds it). */
export type RelayTarget = ServerRelayTarget;

/** The answer of one of a user's connections. */
export type UserCallResult = RelayUserResult;

/** Options of one relayed call. */
export interface RelayCallOptions {
  /** Deadline, ms. Default: the relay's `timeoutMs`. */
  timeoutMs?: number | undefined;
  /** Aborting rejects with CANCELLED. */
  signal?: AbortSignal | undefined;
}

/** Options of a {@link RedisRelay}. */
export interface RedisRelayOptions {
  /** The node's link, usually `broker.link`. */
  link: RedisLink;
  /** The local server; without it this node only makes calls. */
  target?: RelayTarget | undefined;
  /** Default deadline of a call, ms. Default 10,000. */
  timeoutMs?: number | undefined;
  /** Calls awaiting answers at once, at most; more fail with LIMIT_EXCEEDED. Default 10,000. */
  maxPending?: number | undefined;
  /** Time source for deadlines. */
  clock?: Clock | undefined;
}

/**
 * What a request does with `to`: call a procedure on a connection or on a user's connections,
 * or close a connection (`kick`) or a user's connections (`kickUser`) with 4006.
 */
type Op = 'conn' | 'user' | 'kick' | 'kickUser';

interface RequestHead {
  id: number;
  from: string;
  op: Op;
  to: string;
  /** The procedure; for a disconnect, its reason. */
  p: string;
  ms: number;
}

interface ReplyHead {
  id: number;
  st: 'ok' | 'err' | 'miss' | 'user' | 'n';
  e?: WireError;
  /** For `user`: per connection, its id and either a body or an error. */
  r?: { c: string; b?: string; e?: WireError }[];
  /** For `n`: how many connections the node closed. */
  n?: number;
}

type Answer = EncodedPayload | UserCallResult[] | number;

interface Waiting {
  readonly op: Op;
  /** What the call was, for error messages. */
  readonly label: string;
  expect: number;
  answered: number;
  results: UserCallResult[];
  /** Connections closed, for a disconnect. */
  closed: number;
  resolve(value: Answer): void;
  reject(error: SockkitError): void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Relays server → client calls between nodes. */
export class RedisRelay implements ServerRelay {
  /** The node's Redis connections the relay publishes and listens on. */
  readonly link: RedisLink;
  private target: RelayTarget | undefined;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly clock: Clock;
  private readonly waiting = new Map<number, Waiting>();
  private readonly requests: string;
  private readonly replies: string;
  private nextId = 1;
  private closed = false;

  constructor(options: RedisRelayOptions) {
    this.link = options.link;
    this.target = options.target;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxPending = options.maxPending ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.requests = relayChannel(this.link.prefix);
    this.replies = replyChannel(this.link.prefix, this.link.node);
  }

  /** Sets the local server calls are run on. */
  serve(target: RelayTarget): void {
    this.target = target;
  }

  /** Starts listening for requests and replies; resolves once Redis confirmed both. */
  async start(): Promise<void> {
    await Promise.all([
      this.link.subscribe(this.requests, (text) => void this.onRequest(text)),
      this.link.subscribe(this.replies, (text) => this.onReply(text)),
    ]);
  }

  /** Number of calls awaiting answers. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Calls `procedure` on connection `conn`, wherever it lives. Rejects with NOT_FOUND when no
   * node holds it, TIMEOUT after the deadline, UNAVAILABLE when Redis is unreachable, or the
   * error the client answered.
   */
  async call(
    conn: string,
    procedure: string,
    input: EncodedPayload,
    options: RelayCallOptions = {},
  ): Promise<EncodedPayload> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const local = this.target?.call(conn, procedure, input, timeoutMs);
    if (local) return await local;
    const reply = await this.request('conn', conn, procedure, input, timeoutMs, options.signal);
    return reply as EncodedPayload;
  }

  /**
   * Calls `procedure` on every connection of `user` on every node; resolves with one result
   * per connection that answered by the deadline (an empty list when the user has none).
   */
  async callUser(
    user: string,
    procedure: string,
    input: EncodedPayload,
    options: RelayCallOptions = {},
  ): Promise<UserCallResult[]> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const [local, remote] = await Promise.all([
      this.target ? runForUser(this.target, user, procedure, input, timeoutMs) : [],
      this.request('user', user, procedure, input, timeoutMs, options.signal) as Promise<UserCallResult[]>,
    ]);
    return [...local, ...remote];
  }

  /**
   * Closes connection `conn` with 4006 DISCONNECTED and `reason`, wherever it lives; resolves
   * with 1 once its node closed it, or 0 once every node said it holds no such open
   * connection (or at the deadline). Rejects with UNAVAILABLE when Redis is unreachable.
   */
  async disconnect(conn: string, reason: string): Promise<number> {
    if (this.target?.disconnect(conn, reason)) return 1;
    return (await this.request('kick', conn, reason, NO_PAYLOAD, this.timeoutMs, undefined)) as number;
  }

  /**
   * Closes every connection of `user` on every node with 4006 DISCONNECTED and `reason`;
   * resolves with how many were closed, once every node answered (or at the deadline, with
   * those that had). This node's are closed first; if Redis is unreachable the others are
   * not, and it rejects with UNAVAILABLE.
   */
  async disconnectUser(user: string, reason: string): Promise<number> {
    const local = this.target ? disconnectLocal(this.target, user, reason) : 0;
    const remote = await this.request('kickUser', user, reason, NO_PAYLOAD, this.timeoutMs, undefined);
    return local + (remote as number);
  }

  /** Stops listening; calls awaiting answers fail with UNAVAILABLE. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.waiting.keys()])
      this.finish(id, new SockkitError('UNAVAILABLE', 'relay closed'));
    await Promise.all([this.link.unsubscribe(this.requests), this.link.unsubscribe(this.replies)]);
  }

  private async request(
    op: Op,
    to: string,
    procedure: string,
    input: EncodedPayload,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    if (this.closed) throw new SockkitError('UNAVAILABLE', 'relay closed');
    if (signal?.aborted) throw new SockkitError('CANCELLED', `${procedure} was cancelled`);
    if (this.waiting.size >= this.maxPending) {
      throw new SockkitError('LIMIT_EXCEEDED', `more than ${this.maxPending} relayed calls pending`, {
        details: { limit: this.maxPending },
      });
    }
    const id = this.nextId++;
    const head: RequestHead = { id, from: this.link.node, op, to, p: procedure, ms: timeoutMs };
    const promise = new Promise<Answer>((resolve, reject) => {
      const entry: Waiting = {
        op,
        label: `${op.startsWith('kick') ? 'disconnect' : procedure} on ${op === 'conn' || op === 'kick' ? 'connection' : 'user'} ${to}`,
        expect: -1,
        answered: 0,
        results: [],
        closed: 0,
        resolve,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
      };
      if (timeoutMs > 0) {
        entry.timer = this.clock.setTimeout(() => {
          if (op !== 'conn') this.finish(id, undefined);
          else this.finish(id, new SockkitError('TIMEOUT', `${entry.label} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        unrefTimer(entry.timer);
      }
      if (signal) {
        entry.onAbort = () => this.finish(id, new SockkitError('CANCELLED', `${entry.label} was cancelled`));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.set(id, entry);
    });
    // It may settle (abort, close) before the publish returns and the caller awaits it.
    promise.catch(() => {});
    let heard: number;
    try {
      heard = await this.link.call((redis) =>
        redis.publish(this.requests, `q${JSON.stringify(head)}\n${encodeBody(input)}`),
      );
    } catch (error) {
      this.finish(id, error as SockkitError);
      return promise;
    }
    const entry = this.waiting.get(id);
    if (entry) {
      // Every relay listening heard it, this one included.
      entry.expect = heard - 1;
      this.check(id, entry);
    }
    return promise;
  }

  private async onRequest(text: string): Promise<void> {
    let head: RequestHead;
    let input: EncodedPayload;
    try {
      const newline = text.indexOf('\n');
      head = JSON.parse(text.slice(1, newline)) as RequestHead;
      input = decodeBody(text, newline + 1);
    } catch {
      return;
    }
    if (head.from === this.link.node) return;
    const target = this.target;
    let reply: ReplyHead;
    let body = '';
    if (head.op === 'conn') {
      try {
        const running = target?.call(head.to, head.p, input, head.ms);
        if (running) {
          body = encodeBody(await running);
          reply = { id: head.id, st: 'ok' };
        } else reply = { id: head.id, st: 'miss' };
      } catch (error) {
        reply = { id: head.id, st: 'err', e: SockkitError.from(error).toWire() };
      }
    } else if (head.op === 'kick' || head.op === 'kickUser') {
      let closed = 0;
      if (target && head.op === 'kick') closed = target.disconnect(head.to, head.p) ? 1 : 0;
      else if (target) closed = disconnectLocal(target, head.to, head.p);
      reply = { id: head.id, st: 'n', n: closed };
    } else {
      const results = target ? await runForUser(target, head.to, head.p, input, head.ms) : [];
      reply = {
        id: head.id,
        st: 'user',
        r: results.map((r) =>
          r.ok ? { c: r.conn, b: encodeBody(r.result) } : { c: r.conn, e: r.error.toWire() },
        ),
      };
    }
    const channel = replyChannel(this.link.prefix, head.from);
    await this.link
      .call((redis) => redis.publish(channel, `r${JSON.stringify(reply)}\n${body}`))
      .catch(() => {});
  }

  private onReply(text: string): void {
    let head: ReplyHead;
    try {
      head = JSON.parse(text.slice(1, text.indexOf('\n'))) as ReplyHead;
    } catch {
      return;
    }
    const entry = this.waiting.get(head.id);
    if (!entry) return;
    entry.answered++;
    if (head.st === 'ok') this.finish(head.id, undefined, decodeBody(text, text.indexOf('\n') + 1));
    else if (head.st === 'err' && head.e) this.finish(head.id, SockkitError.fromWire(head.e));
    else if (head.st === 'n') {
      entry.closed += typeof head.n === 'number' ? head.n : 0;
      // A connection lives on one node: once it closed there, the others have nothing to say.
      if (entry.op === 'kick' && entry.closed > 0) this.finish(head.id, undefined);
      else this.check(head.id, entry);
    } else {
      for (const r of head.r ?? []) {
        entry.results.push(
          r.e
            ? { conn: r.c, ok: false, error: SockkitError.fromWire(r.e) }
            : { conn: r.c, ok: true, result: decodeBody(r.b ?? '0:') },
        );
      }
      this.check(head.id, entry);
    }
  }

  /** Settles a call once every relay that heard it has answered. */
  private check(id: number, entry: Waiting): void {
    if (entry.expect < 0 || entry.answered < entry.expect) return;
    if (entry.op !== 'conn') this.finish(id, undefined);
    else this.finish(id, new SockkitError('NOT_FOUND', `${entry.label}: no node holds that connection`));
  }

  private finish(id: number, error: SockkitError | undefined, value?: EncodedPayload): void {
    const entry = this.waiting.get(id);
    if (!entry) return;
    this.waiting.delete(id);
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    if (error) entry.reject(error);
    else if (entry.op === 'conn') entry.resolve(value!);
    else entry.resolve(entry.op === 'user' ? entry.results : entry.closed);
  }
}

/** The body of a request that carries no payload. */
const NO_PAYLOAD: EncodedPayload = { json: undefined, meta: undefined };

/** Closes this node's connections of `user`; how many were open. */
function disconnectLocal(target: RelayTarget, user: string, reason: string): number {
  let closed = 0;
  for (const conn of target.connectionsOf(user)) if (target.disconnect(conn, reason)) closed++;
  return closed;
}

async function runForUser(
  target: RelayTarget,
  user: string,
  procedure: string,
  input: EncodedPayload,
  timeoutMs: number,
): Promise<UserCallResult[]> {
  const conns = target.connectionsOf(user);
  return Promise.all(
    conns.map(async (conn): Promise<UserCallResult> => {
      try {
        const running = target.call(conn, procedure, input, timeoutMs);
        if (!running) throw new SockkitError('NOT_FOUND', `connection ${conn} closed`);
        return { conn, ok: true, result: await running };
      } catch (error) {
        return { conn, ok: false, error: SockkitError.from(error) };
      }
    }),
  );
}
