/**
 * Several nodes as one: with REDIS_URL set, topics (messages, history, presence) live in Redis
 * and a relay carries kicks and server → client calls to whichever node holds the connection.
 * Without it, everything stays in this process.
 */
import { RedisBroker, RedisRelay } from '@sockkit/redis';

export async function connectRedis(url: string, prefix: string) {
  const broker = new RedisBroker({ url, prefix });
  broker.on('status', (status) => console.log(`redis ${status}`));
  await broker.ready();
  return { broker, relay: new RedisRelay({ link: broker.link }) };
}
