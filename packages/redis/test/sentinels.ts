/**
 * A throwaway Sentinel setup for failover tests: a master, one replica that replicates through
 * a TCP proxy (stall it and the replica lags), and three Sentinels (quorum 2) watching the
 * master as `sockkit`, every one a redis-server process without persistence on a free port
 * in its own temporary directory, killed by its pid.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxy, type TcpProxy } from '@sockkit/testing';
import { Redis } from 'ioredis';
import { freePort, ThrowawayRedis, waitFor } from './helpers.js';

/** The name the Sentinels know the master by. */
export const MASTER_NAME = 'sockkit';

/** Sentinel's failure detection, ms (its default is 30 s). */
const DOWN_AFTER_MS = 1000;

function serverArgs(port: number, dir: string, extra: string[] = []): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...extra,
  ];
}

/** Runs `work` against the Redis on `port` with a short-lived connection. */
async function on<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  await redis.connect();
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** The parsed `INFO replication` of the Redis on `port`. */
export async function replication(port: number): Promise<Record<string, string>> {
  const text = await on(port, (redis) => redis.info('replication'));
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

export class SentinelSetup {
  /** The first master; after {@link rejoin}, that same port restarted as a replica. */
  master: ThrowawayRedis;
  readonly replica: ThrowawayRedis;
  readonly sentinels: ThrowawayRedis[];
  private constructor(
    private readonly dir: string,
    master: ThrowawayRedis,
    replica: ThrowawayRedis,
    /** Between the replica and the master: `stall()` it and the replica falls behind. */
    readonly link: TcpProxy,
    sentinels: ThrowawayRedis[],
  ) {
    this.master = master;
    this.replica = replica;
    this.sentinels = sentinels;
  }

  /** Starts everything; resolves once the replica is in sync and every Sentinel knows all. */
  static async start(): Promise<SentinelSetup> {
    const dir = mkdtempSync(join(tmpdir(), 'sockkit-failover-'));
    const masterPort = await freePort();
    const master = new ThrowawayRedis(masterPort, { args: serverArgs(masterPort, dir) });
    await master.start();
    const link = await startProxy(masterPort);
    const replicaPort = await freePort();
    const replica = new ThrowawayRedis(replicaPort, {
      args: serverArgs(replicaPort, dir, ['--replicaof', '127.0.0.1', String(link.port)]),
    });
    await replica.start();
    const sentinels: ThrowawayRedis[] = [];
    const setup = new SentinelSetup(dir, master, replica, link, sentinels);
    try {
      await waitFor(
        async () => (await replication(replicaPort)).master_link_status === 'up',
        'replica in sync',
        10_000,
      );
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        // Sentinel rewrites its config file: one per Sentinel, in this setup's directory.
        const conf = join(dir, `sentinel-${i}.conf`);
        writeFileSync(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
            `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
            // A failed attempt (a split vote on busy cores) is retried after twice this: 10 s,
            // not Redis's default 6 min, and not 20 s, the same as promoted()'s whole wait.
            `sentinel failover-timeout ${MASTER_NAME} 5000`,
            '',
          ].join('\n'),
        );
        const sentinel = new ThrowawayRedis(port, {
          args: [conf, '--sentinel'],
          readyWhen: '+monitor master',
        });
        sentinels.push(sentinel);
        await sentinel.start();
      }
      // Sentinels find the replica through the master's INFO and each other by hello messages.
      await waitFor(
        async () => {
          for (const sentinel of sentinels) {
            const state = await on(sentinel.port, (redis) => redis.call('SENTINEL', 'MASTER', MASTER_NAME));
            const fields = pairs(state as string[]);
            if (fields['num-slaves'] !== '1' || fields['num-other-sentinels'] !== '2') return false;
          }
          return true;
        },
        'Sentinels to know the replica and each other',
        20_000,
      );
    } catch (error) {
      await setup.stop();
      throw error;
    }
    return setup;
  }

  /** What a broker is given: the Sentinels and the master's name. */
  get redisOptions(): { sentinels: { host: string; port: number }[]; name: string } {
    return {
      sentinels: this.sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port })),
      name: MASTER_NAME,
    };
  }

  /** The master's port as the first Sentinel reports it. */
  async masterPort(): Promise<number> {
    const reply = (await on(this.sentinels[0]!.port, (redis) =>
      redis.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME),
    )) as [string, string];
    return Number(reply[1]);
  }

  /**
   * Resolves once every Sentinel reports the replica as the master. 40 s: room for the first
   * attempt and two retries when CI's other suites load both cores (a CI run saw a failover
   * take longer than 20 s).
   */
  async promoted(timeoutMs = 40_000): Promise<void> {
    await waitFor(
      async () => {
        for (const sentinel of this.sentinels) {
          const reply = (await on(sentinel.port, (redis) =>
            redis.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME),
          )) as [string, string];
          if (Number(reply[1]) !== this.replica.port) return false;
        }
        return (await replication(this.replica.port)).role === 'master';
      },
      'the replica to be promoted',
      timeoutMs,
    );
  }

  /**
   * Starts the (killed) first master again, empty, as a replica of the promoted one, as
   * Sentinel would reconfigure it (done at once here: Sentinel may take 10 s to notice it).
   * Resolves once it is in sync.
   */
  async rejoin(): Promise<void> {
    await this.master.kill();
    const port = this.master.port;
    this.master = new ThrowawayRedis(port, {
      args: serverArgs(port, this.dir, ['--replicaof', '127.0.0.1', String(this.replica.port)]),
    });
    await this.master.start();
    await waitFor(
      async () => (await replication(port)).master_link_status === 'up',
      'old master in sync',
      10_000,
    );
  }

  /** Waits until the replica has every write the master took so far. */
  async synced(): Promise<void> {
    // WAIT counts from this connection's last write, so write once first.
    const acked = await on(this.master.port, async (redis) => {
      await redis.set('sockkit-test:synced', '1', 'PX', 1000);
      return await redis.wait(1, 5000);
    });
    if (acked !== 1) throw new Error('the replica did not acknowledge');
  }

  /** Stops everything (by pid) and removes the directory. */
  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((sentinel) => sentinel.kill()));
    await Promise.all([this.master.kill(), this.replica.kill()]);
    await this.link.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function pairs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}
