/**
 * RedisLink: the two Redis connections one node keeps (commands, and a subscriber for
 * pub/sub), their health, and the mapping of Redis failures to UNAVAILABLE.
 *
 * Nothing is buffered while Redis is away: the offline queue is off, commands in flight when
 * a connection drops are rejected rather than replayed (a replayed publish could be
 * delivered twice), and commands issued while down fail at once. The link reconnects by
 * itself with jittered backoff, resubscribes its pub/sub channels, and only then reports
 * `up` again, with the outage window, so the broker can fill what the window missed.
 */
import { type Clock, isSockkitError, SockkitError, systemClock, type TimerHandle } from '@sockkit/core';
import { Emitter } from '@sockkit/core/protocol';
import { consoleLogger, type Logger } from '@sockkit/server';
import { Redis, type RedisOptions } from 'ioredis';
import { checkPrefix, DEFAULT_PREFIX } from './keys.js';
import type { Script } from './scripts.js';

/** Health of the link. */
export type LinkStatus = 'connecting' | 'up' | 'down' | 'closed';

/** A period during which Redis was unreachable, in this node's clock (ms). */
export interface Outage {
  /** When the link went down. */
  readonly from: number;
  /** When the link was up again. */
  readonly to: number;
}

/** Detail of a status change. */
export interface StatusDetail {
  /** The last connection error seen (on `down`). */
  readonly error?: Error | undefined;
  /** The window that just ended (on `up` after `down`). */
  readonly outage?: Outage | undefined;
}

/** Events of a link. */
export type LinkEvents = {
  /** Health changed: `down` with the last error, `up` with the outage window that just ended. */
  status: [status: LinkStatus, detail: StatusDetail];
};

/** How to reach Redis. */
export interface RedisLinkOptions {
  /** Redis URL. Default `redis://127.0.0.1:6379`. */
  url?: string | undefined;
  /**
   * Extra ioredis options (TLS, password, db...). The options the link's guarantees rest on
   * (offline queue, retries, resubscription) are always its own.
   */
  redisOptions?: RedisOptions | undefined;
  /** Prefix of every key and pub/sub channel. Default `sockkit:`. */
  prefix?: string | undefined;
  /** This node's id (relay address, connection names). Default: random. */
  node?: string | undefined;
  /** Delay before reconnect attempt `attempt` (1-based), ms. Default: jittered 2^n·50, at most 2 s. */
  reconnectDelay?: ((attempt: number) => number) | undefined;
  /** A command unanswered this long fails with UNAVAILABLE. Default 5,000 ms. */
  commandTimeoutMs?: number | undefined;
  /** Time source for outage windows. */
  clock?: Clock | undefined;
  /** Where connection trouble is reported. Default: the console. */
  logger?: Logger | undefined;
}

/** The connections of one node to Redis. */
export class RedisLink extends Emitter<LinkEvents> {
  /** Prefix of every key and pub/sub channel (`options.prefix`, default `sockkit:`). */
  readonly prefix: string;
  /** This node's id: the relay's reply address and part of the connection names. */
  readonly node: string;
  /** Connection for commands and scripts. */
  readonly commands: Redis;
  /** Connection in subscriber mode. */
  readonly subscriber: Redis;
  private readonly handlers = new Map<string, (message: string) => void>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly commandTimeoutMs: number;
  private state: LinkStatus = 'connecting';
  private downSince: number | undefined;
  private subscribed = false;
  private lastError: Error | undefined;

  constructor(options: RedisLinkOptions = {}) {
    super();
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.node = options.node ?? randomId();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? consoleLogger;
    const delay = options.reconnectDelay ?? defaultReconnectDelay;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    const base: RedisOptions = {
      ...options.redisOptions,
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      commandTimeout: this.commandTimeoutMs,
      retryStrategy: (attempt) => delay(attempt),
    };
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.commands = new Redis(url, { ...base, connectionName: `${this.prefix}${this.node}:cmd` });
    this.subscriber = new Redis(url, { ...base, connectionName: `${this.prefix}${this.node}:sub` });
    for (const redis of [this.commands, this.subscriber]) {
      redis.on('error', (error: Error) => {
        // Reported once per outage through `status`; before the first connection, here.
        if (this.state === 'connecting' && this.lastError === undefined) {
          this.logger.warn({ node: this.node, error: error.message }, 'redis not reachable yet');
        }
        this.lastError = error;
      });
      redis.on('close', () => this.lost(redis));
    }
    this.commands.on('ready', () => this.check());
    this.subscriber.on('ready', () => void this.resubscribe());
    this.subscriber.on('message', (channel: string, message: string) =>
      this.handlers.get(channel)?.(message),
    );
  }

  /** Current health. */
  get status(): LinkStatus {
    return this.state;
  }

  /** Resolves once both connections are ready; rejects when the link closes first. */
  ready(): Promise<void> {
    return this.up(undefined);
  }

  /** Runs a Lua script on the command connection; Redis trouble becomes UNAVAILABLE. */
  async run(script: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return this.call((redis) => script.run(redis, keys, args));
  }

  /** Runs `work` on the command connection; Redis trouble becomes UNAVAILABLE. */
  async call<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.state === 'closed') throw closedError();
    try {
      return await work(this.commands);
    } catch (error) {
      throw toSockkitError(error);
    }
  }

  /**
   * Delivers pub/sub `channel` to `handler` (one handler per channel); resolves once Redis
   * confirmed the subscription. The link resubscribes it after every reconnect.
   */
  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    if (this.state === 'closed') throw closedError();
    this.handlers.set(channel, handler);
    try {
      await this.subscriber.subscribe(channel);
    } catch (error) {
      if (this.handlers.get(channel) === handler) this.handlers.delete(channel);
      throw toSockkitError(error);
    }
  }

  /** Stops delivering `channel`. */
  async unsubscribe(channel: string): Promise<void> {
    if (!this.handlers.delete(channel)) return;
    if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe(channel).catch(() => {});
  }

  /**
   * Resolves once every pub/sub message Redis sent to this node before the call has been
   * handed to its handler: a PING on the subscriber connection, whose reply Redis queues
   * behind them. Waits for the link to be up first, at most `commandTimeoutMs`; fails with
   * UNAVAILABLE when it is not.
   */
  async barrier(): Promise<void> {
    await this.up(this.commandTimeoutMs);
    try {
      await this.subscriber.ping();
    } catch (error) {
      throw toSockkitError(error);
    }
  }

  /** Resolves when the link is up; rejects when it closes first, or after `timeoutMs`. */
  private up(timeoutMs: number | undefined): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const off = this.on('status', (status) => {
        if (status === 'up') resolve();
        else if (status === 'closed') reject(closedError());
        else return;
        off();
        if (timer !== undefined) this.clock.clearTimeout(timer);
      });
      if (timeoutMs !== undefined) {
        timer = this.clock.setTimeout(() => {
          off();
          reject(new SockkitError('UNAVAILABLE', 'redis unavailable: link not up'));
        }, timeoutMs);
      }
    });
  }

  /** Pub/sub channels currently delivered. */
  channels(): string[] {
    return [...this.handlers.keys()];
  }

  /** Closes both connections; further calls fail with UNAVAILABLE. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.setStatus('closed', {});
    this.handlers.clear();
    await Promise.all([quit(this.commands), quit(this.subscriber)]);
  }

  private async resubscribe(): Promise<void> {
    const channels = this.channels();
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
    } catch (error) {
      // The connection dropped again; its next `ready` tries again.
      this.lastError = error instanceof Error ? error : this.lastError;
      return;
    }
    // Channels dropped while the subscription was on its way.
    const stale = channels.filter((channel) => !this.handlers.has(channel));
    if (stale.length > 0) await this.subscriber.unsubscribe(...stale).catch(() => {});
    this.subscribed = true;
    this.check();
  }

  private check(): void {
    if (this.state === 'up' || this.state === 'closed') return;
    if (this.commands.status !== 'ready' || this.subscriber.status !== 'ready' || !this.subscribed) return;
    const outage = this.downSince === undefined ? undefined : { from: this.downSince, to: this.clock.now() };
    this.downSince = undefined;
    if (outage)
      this.logger.warn({ node: this.node, downMs: outage.to - outage.from }, 'redis reachable again');
    this.setStatus('up', { outage });
  }

  private lost(redis: Redis): void {
    if (redis === this.subscriber) this.subscribed = false;
    if (this.state !== 'up') return;
    this.downSince = this.clock.now();
    this.logger.warn({ node: this.node, error: this.lastError?.message }, 'redis unreachable');
    this.setStatus('down', { error: this.lastError });
  }

  private setStatus(status: LinkStatus, detail: StatusDetail): void {
    this.state = status;
    this.emit('status', status, detail);
  }
}

const UNAVAILABLE_REPLIES = /^(LOADING|READONLY|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM)\b/;

/**
 * Maps a Redis failure to a SockkitError: unreachable, timed out or temporarily refusing
 * Redis is UNAVAILABLE (retryable); any other error reply is a bug here, so INTERNAL.
 */
export function toSockkitError(error: unknown): SockkitError {
  if (isSockkitError(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'ReplyError' && !UNAVAILABLE_REPLIES.test(message)) {
    return new SockkitError('INTERNAL', 'redis broker error', { cause: error });
  }
  return new SockkitError('UNAVAILABLE', `redis unavailable: ${message}`, { cause: error });
}

function closedError(): SockkitError {
  return new SockkitError('UNAVAILABLE', 'redis broker closed');
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  redis.disconnect();
}

/** Jittered exponential backoff: uniform in [20, 20 + min(2000, 50·2^(attempt-1))] ms. */
export function defaultReconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(2000, 50 * 2 ** Math.min(attempt - 1, 16));
  return 20 + Math.floor(random() * ceiling);
}

/** A random 16-hex-digit id. */
export function randomId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
