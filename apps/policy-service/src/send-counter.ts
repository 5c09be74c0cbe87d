import type { Redis } from 'ioredis';
import { POLICY_SENT_TTL_SECONDS, POLICY_TRANSACTION_TTL_SECONDS, PolicyRedisKeys } from '#contracts';

/** Per-day send counts and per-transaction recipients in Redis, shared by every replica. */
export class SendCounter {
  constructor(private readonly redis: Redis) {}

  /**
   * Counts one message of `address` today unless that would exceed `max`; true when counted. A refused
   * message is taken back off, so retries after the limit do not push the count up.
   */
  async tryCount(address: string, max: number, now = new Date()): Promise<boolean> {
    const key = `${PolicyRedisKeys.SentPerDay}${address}:${now.toISOString().slice(0, 10)}`;
    const [[, n]] = (await this.redis.multi().incr(key).expire(key, POLICY_SENT_TTL_SECONDS).exec()) as [[Error | null, number]];
    if (n <= max) return true;
    await this.redis.decr(key);
    return false;
  }

  async sentToday(address: string, now = new Date()): Promise<number> {
    return Number((await this.redis.get(`${PolicyRedisKeys.SentPerDay}${address}:${now.toISOString().slice(0, 10)}`)) ?? 0);
  }

  async addRecipient(instance: string, recipient: string): Promise<void> {
    const key = `${PolicyRedisKeys.TransactionRecipients}${instance}`;
    await this.redis.multi().sadd(key, recipient).expire(key, POLICY_TRANSACTION_TTL_SECONDS).exec();
  }

  recipientCount(instance: string): Promise<number> {
    return this.redis.scard(`${PolicyRedisKeys.TransactionRecipients}${instance}`);
  }

  /** The recipients accepted in the transaction, forgotten once read (the message is over). */
  async takeRecipients(instance: string): Promise<string[]> {
    const key = `${PolicyRedisKeys.TransactionRecipients}${instance}`;
    const [[, members]] = (await this.redis.multi().smembers(key).del(key).exec()) as [[Error | null, string[]]];
    return members;
  }
}
