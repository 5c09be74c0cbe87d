import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { startProbeServer } from '#common';

/** Ready when the views answer and Redis does too (without them every decision is a temporary failure). */
export function startPolicyHealth(port: number, pool: pg.Pool, redis: Redis): Server {
  return startProbeServer(port, async () => {
    const [db, kv] = await Promise.all([
      pool.query('SELECT 1 FROM mailstack.domain_limits LIMIT 1').then(
        () => true,
        () => false,
      ),
      redis.ping().then(
        () => true,
        () => false,
      ),
    ]);
    if (db && kv) return null;
    return { ...(db ? {} : { database: 'unavailable' }), ...(kv ? {} : { redis: 'unavailable' }) };
  });
}
