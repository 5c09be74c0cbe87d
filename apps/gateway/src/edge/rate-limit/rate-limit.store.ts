import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AppConfig } from '#common';
import { jobsPrefix } from '#jobs';
import { InjectConfig } from '../../shared/app-config.js';
import { REDIS } from '../../shared/redis.module.js';

/** Fixed one-minute windows: a budget's window opens with its first request. */
export const RATE_WINDOW_MS = 60_000;

/**
 * INCR and PEXPIRE in one atomic step, so two replicas counting at once never lose a hit and a
 * counter never outlives its window. Returns the count and the milliseconds left in the window.
 */
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

export interface RateHit {
  /** Requests counted in this window, this one included. */
  count: number;
  /** Milliseconds until the window closes. */
  resetMs: number;
}

type RedisWithHit = Redis & { mailplaneRateHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * The shared counters in Redis. Every replica counts into the same keys, so the budget holds across
 * replicas; the prefix carries the database name so installations (or test stacks) sharing one Redis
 * never share budgets.
 */
@Injectable()
export class RateLimitStore {
  private readonly logger = new Logger(RateLimitStore.name);
  private readonly prefix: string;
  private lastWarned = 0;
  /**
   * This replica's own counters while Redis cannot answer (rate-limiter-flexible's in-memory limiter,
   * the "insurance" of a Redis limiter): limits then hold per replica instead of failing open. It only
   * counts (its points are never the limit); the caller compares with the budget.
   */
  private readonly insurance = new RateLimiterMemory({ points: Number.MAX_SAFE_INTEGER, duration: RATE_WINDOW_MS / 1000 });

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectConfig() config: AppConfig,
  ) {
    this.prefix = `${jobsPrefix(config.DATABASE_URL)}:ratelimit:`;
    // defineCommand sends EVALSHA and falls back to EVAL once after a Redis restart.
    if (!('mailplaneRateHit' in redis)) redis.defineCommand('mailplaneRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  /** Counts one request against `bucket`: in Redis, or in this process while Redis cannot answer. */
  async hit(bucket: string): Promise<RateHit> {
    try {
      const [count, resetMs] = await (this.redis as RedisWithHit).mailplaneRateHit(this.prefix + bucket, RATE_WINDOW_MS);
      return { count: Number(count), resetMs: Number(resetMs) };
    } catch (err) {
      if (Date.now() - this.lastWarned >= 60_000) {
        this.lastWarned = Date.now();
        this.logger.warn(`rate limits counted per replica, Redis unavailable: ${(err as Error).message}`);
      }
      const res = await this.insurance.consume(bucket, 1);
      return { count: res.consumedPoints, resetMs: res.msBeforeNext };
    }
  }
}
