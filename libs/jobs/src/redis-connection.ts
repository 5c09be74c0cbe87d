import type { RedisOptions } from 'bullmq';

/**
 * BullMQ's Redis options from REDIS_URL. `maxRetriesPerRequest: null` is what BullMQ requires: a
 * command waits for the reconnect instead of failing, so a worker rides out a brief Redis outage.
 */
export function bullConnection(redisUrl: string, name: string): RedisOptions {
  const u = new URL(redisUrl);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number.isInteger(db) ? db : 0,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}

/**
 * Key prefix of every queue: the jobs mirror into one database, so the queues are named after it.
 * Two installations (or two test stacks) sharing one Redis never take each other's jobs.
 */
export function jobsPrefix(databaseUrl: string): string {
  const db = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'mailplane';
  return `mailplane:${db}`;
}
