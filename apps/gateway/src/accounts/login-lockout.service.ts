import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '#common';
import { jobsPrefix } from '#jobs';
import { InjectConfig } from '../config/app-config.js';
import { REDIS } from '../health/redis.provider.js';
import { AccountError, AccountErrorCode } from './account.errors.js';

/** Failures are forgotten this long after the last one (or the lock's end, if later). */
const FORGET_AFTER_MS = 3_600_000;
const BASE_DELAY_MS = 1000;

/**
 * One failed attempt, atomically: count it and, from the threshold on, lock until now + a delay that
 * doubles per further failure (1 s, 2 s, 4 s, ...) up to the cap. Returns the lock's end (0 = none).
 */
const FAIL_SCRIPT = `
local fails = redis.call('HINCRBY', KEYS[1], 'fails', 1)
local threshold = tonumber(ARGV[1])
local untilMs = 0
if fails >= threshold then
  local delay = math.min(tonumber(ARGV[3]) * math.pow(2, math.min(fails - threshold, 30)), tonumber(ARGV[2]))
  untilMs = tonumber(ARGV[4]) + delay
  redis.call('HSET', KEYS[1], 'until', untilMs)
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[5]), untilMs - tonumber(ARGV[4])))
return untilMs`;

type RedisWithFail = Redis & { mailplaneLoginFail(key: string, threshold: number, maxMs: number, baseMs: number, now: number, forgetMs: number): Promise<number> };

export class LoginLockedError extends AccountError {
  constructor(
    readonly retryAfterSeconds: number,
    what: string,
  ) {
    super(AccountErrorCode.LockedOut, 'Too many requests', `Too many failed logins for this ${what}; retry in ${retryAfterSeconds} s.`);
  }
}

/**
 * Growing delay after repeated failed logins, per account (keyed by the email as typed, so unknown
 * emails behave the same) and per client IP, in Redis so every replica sees the same counters. A
 * failure is a wrong password (login, password change, 2FA disable) or a wrong second-factor code
 * (second login step, 2FA disable). A completed login resets the account's counter, not the IP's (one
 * valid account must not unlock an IP that guesses others). Without Redis nothing is locked (fail
 * open, like the rate limits).
 */
@Injectable()
export class LoginLockoutService {
  private readonly logger = new Logger(LoginLockoutService.name);
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.prefix = `${jobsPrefix(config.DATABASE_URL)}:login-lockout:`;
    if (!('mailplaneLoginFail' in redis)) redis.defineCommand('mailplaneLoginFail', { numberOfKeys: 1, lua: FAIL_SCRIPT });
  }

  /** Throws LoginLockedError (429, Retry-After) while the account or the IP is locked; email null = only the IP. */
  async assertOpen(email: string | null, ip: string): Promise<void> {
    const now = Date.now();
    const keys: [string, string][] = [[this.ipKey(ip), 'IP address']];
    if (email !== null) keys.unshift([this.accountKey(email), 'account']);
    for (const [key, what] of keys) {
      const until = Number((await this.safe(() => this.redis.hget(key, 'until'))) ?? 0);
      if (until > now) throw new LoginLockedError(Math.max(1, Math.ceil((until - now) / 1000)), what);
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const maxMs = this.config.LOGIN_LOCKOUT_MAX_SECONDS * 1000;
    const now = Date.now();
    const r = this.redis as RedisWithFail;
    await this.safe(() => r.mailplaneLoginFail(this.accountKey(email), this.config.LOGIN_LOCKOUT_THRESHOLD, maxMs, BASE_DELAY_MS, now, FORGET_AFTER_MS));
    await this.safe(() => r.mailplaneLoginFail(this.ipKey(ip), this.config.LOGIN_IP_LOCKOUT_THRESHOLD, maxMs, BASE_DELAY_MS, now, FORGET_AFTER_MS));
  }

  async recordSuccess(email: string): Promise<void> {
    await this.safe(() => this.redis.del(this.accountKey(email)));
  }

  private accountKey(email: string): string {
    return `${this.prefix}account:${email.toLowerCase()}`;
  }

  private ipKey(ip: string): string {
    return `${this.prefix}ip:${ip}`;
  }

  private async safe<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      this.logger.warn(`login lockout not enforced, Redis unavailable: ${(err as Error).message}`);
      return null;
    }
  }
}
