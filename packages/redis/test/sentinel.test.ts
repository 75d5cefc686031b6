/**
 * RedisBroker through Redis Sentinel: the nodes are given only a Sentinel
 * (`redisOptions.sentinels`), ask it for the master, and carry messages and presence there.
 * A throwaway master and Sentinel are started for this file on free ports and killed by pid.
 * Failovers are in failover.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@sockkit/server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBroker } from '../src/broker.js';
import { Events, freePort, hasRedisServer, json, ThrowawayRedis, uniquePrefix, waitFor } from './helpers.js';

const canSpawnRedis = await hasRedisServer();

describe.skipIf(!canSpawnRedis)('RedisBroker through Sentinel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockkit-sentinel-'));
  let master: ThrowawayRedis;
  let sentinel: ThrowawayRedis;
  const brokers: RedisBroker[] = [];

  beforeAll(async () => {
    master = new ThrowawayRedis(await freePort());
    await master.start();
    const port = await freePort();
    const conf = join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file, so it lives in this file's own directory.
    writeFileSync(
      conf,
      [`port ${port}`, 'bind 127.0.0.1', `sentinel monitor sockkit 127.0.0.1 ${master.port} 1`, ''].join(
        '\n',
      ),
    );
    sentinel = new ThrowawayRedis(port, { args: [conf, '--sentinel'], readyWhen: '+monitor master' });
    await sentinel.start();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(brokers.map((broker) => broker.close()));
    await sentinel?.kill();
    await master?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master through Sentinel and carries messages and presence between nodes', async () => {
    const prefix = uniquePrefix('sentinel');
    const node = async (name: string) => {
      const broker = new RedisBroker({
        prefix,
        node: name,
        logger: silentLogger,
        redisOptions: { sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: 'sockkit' },
      });
      brokers.push(broker);
      const events = new Events();
      broker.listen(events.listener);
      await broker.ready();
      return { broker, events };
    };
    const a = await node('a');
    const b = await node('b');
    await Promise.all([a.broker.subscribe('s1'), b.broker.subscribe('s1')]);
    for (let i = 1; i <= 5; i++) await a.broker.publish('s1', json({ i }), { volatile: false });
    await waitFor(() => b.events.messages('s1').length === 5, 'delivery through the master');
    expect(b.events.messages('s1').map((m) => m.offset)).toEqual([1, 2, 3, 4, 5]);
    await b.broker.presenceSet('s1', { conn: 'c-b', user: undefined, state: json({ name: 'B' }) }, 'join');
    await waitFor(() => a.events.presence('s1').includes('join:c-b'), 'presence through the master');

    // It is the throwaway master that holds the keys, reached only through Sentinel.
    const direct = new Redis(master.url);
    try {
      const keys = await direct.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      const names = (await direct.client('LIST')) as string;
      expect(names).toContain(`name=${prefix}a:cmd`);
      expect(names).toContain(`name=${prefix}b:sub`);
    } finally {
      direct.disconnect();
    }
  });
});
