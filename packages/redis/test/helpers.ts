/**
 * Test fixtures for the Redis suites: a unique key prefix per run (deleted afterwards, never
 * FLUSHALL), killing only this run's own Redis connections, a throwaway redis-server for
 * restart tests, and a bounded wait.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Clock, EncodedPayload, TimerHandle } from '@sockkit/core';
import type { BrokerEvent } from '@sockkit/server';
import { missing } from '@sockkit/testing';
import { Redis } from 'ioredis';

export { deleteKeys, uniquePrefix } from '@sockkit/testing/redis';

/** Kills the Redis connections whose name starts with `namePrefix` (this run's only). */
export async function killClients(url: string, namePrefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const list = (await redis.client('LIST')) as string;
    const ids: string[] = [];
    for (const line of list.split('\n')) {
      const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
      const name = / name=(\S*)/.exec(line)?.[1];
      if (id && name?.startsWith(namePrefix)) ids.push(id);
    }
    for (const id of ids) await redis.client('KILL', 'ID', id);
    return ids.length;
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` every 10 ms until it returns true; throws after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A plain JSON payload. */
export function json(value: unknown): EncodedPayload {
  return { json: JSON.stringify(value), meta: undefined };
}

/** Every event a broker delivered, per channel. */
export class Events {
  readonly all: { channel: string; event: BrokerEvent }[] = [];
  readonly listener = (channel: string, event: BrokerEvent) => {
    this.all.push({ channel, event });
  };

  /** Durable and volatile messages of `channel`, as parsed values with their offsets. */
  messages(channel: string): { epoch: string; offset: number | undefined; value: unknown }[] {
    const out: { epoch: string; offset: number | undefined; value: unknown }[] = [];
    for (const { channel: c, event } of this.all) {
      if (c === channel && event.kind === 'message') {
        out.push({
          epoch: event.epoch,
          offset: event.offset,
          value: event.payload.json === undefined ? undefined : JSON.parse(event.payload.json),
        });
      }
    }
    return out;
  }

  /** Presence events of `channel` as `type:conn`. */
  presence(channel: string): string[] {
    const out: string[] = [];
    for (const { channel: c, event } of this.all) {
      if (c === channel && event.kind === 'presence') out.push(`${event.type}:${event.member.conn}`);
    }
    return out;
  }
}

/** A clock whose intervals only run when the test says so (leases never renew by themselves). */
export class ManualClock implements Clock {
  private readonly intervals = new Map<number, () => void>();
  private next = 1;
  now(): number {
    return Date.now();
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    return setTimeout(callback, ms);
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle);
  }
  setInterval(callback: () => void): TimerHandle {
    const id = this.next++;
    this.intervals.set(id, callback);
    return id as unknown as TimerHandle;
  }
  clearInterval(handle: TimerHandle): void {
    this.intervals.delete(handle as unknown as number);
  }
  /** Number of intervals registered. */
  get size(): number {
    return this.intervals.size;
  }
}

/** A free TCP port on 127.0.0.1 (released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A throwaway redis-server without persistence, started and killed by this test only.
 * `args` replace the default command line (e.g. a Sentinel config); `readyWhen` is the log
 * line that says it serves.
 */
export class ThrowawayRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly options: { args?: string[]; readyWhen?: string } = {},
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it; resolves when it accepts connections. */
  async start(): Promise<void> {
    const args = this.options.args ?? [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const readyWhen = this.options.readyWhen ?? 'Ready to accept connections';
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready:\n${out}`)), 10_000);
      child.stdout?.on('data', (data: Buffer) => {
        out += data.toString();
        if (out.includes(readyWhen)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${out}`));
      });
    });
  }

  /** Kills it by its pid and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, signal);
    await exited;
  }
}

/**
 * Whether a redis-server binary can be spawned for restart tests; reported loudly when not
 * (and fatal under SOCKKIT_REQUIRE_ALL=1).
 */
export async function hasRedisServer(): Promise<boolean> {
  const ok = await new Promise<boolean>((resolve) => {
    const child = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
  return (
    ok || missing('redis-server', 'no redis-server binary on PATH (Redis restart tests spawn their own)')
  );
}
