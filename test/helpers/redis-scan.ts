import { Redis } from 'ioredis';

/**
 * Every key under `prefix` with all of its content as text: strings, hashes (fields and values),
 * lists, sets, sorted sets (members and scores) and streams (ids, fields and values). For tests that
 * must prove a secret never reached Redis in any of BullMQ's structures.
 */
export async function dumpRedis(redisUrl: string, prefix: string): Promise<Map<string, string>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const out = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) out.set(key, await contentOf(redis, key));
    } while (cursor !== '0');
    return out;
  } finally {
    redis.disconnect();
  }
}

async function contentOf(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    case 'none':
      return ''; // gone between SCAN and TYPE
    default:
      throw new Error(`${key}: Redis type ${type} not read by dumpRedis`);
  }
}

/** The keys (with the needle) whose content holds any of the needles. */
export function keysHolding(dump: Map<string, string>, needles: string[]): string[] {
  return [...dump].flatMap(([key, content]) => needles.filter((n) => content.includes(n)).map((n) => `${key} holds ${n}`));
}
