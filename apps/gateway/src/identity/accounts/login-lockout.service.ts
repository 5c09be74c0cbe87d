import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AppConfig } from '#common';
import { jobsPrefix } from '#jobs';
import { InjectConfig } from '../../shared/app-config.js';
import { REDIS } from '../../shared/redis.module.js';
import { AccountError, AccountErrorCode } from './account.errors.js';
import { InProcessLockout } from './login-lockout.fallback.js';

/** Failures are forgotten this long after the last one (or the lock's end, if later). */
const FORGET_AFTER_MS = 3_600_000;
const BASE_DELAY_MS = 1000;

/**
 * Starts an attempt on every key (account, IP) in one step: refused while any is locked (returns
 * {key index, lock end}); otherwise counted as failed in advance and, from the key's threshold on,
 * locked until now + a delay doubling per further failure (1 s, 2 s, 4 s, ...) up to the cap. Counting
 * before the credential is checked is what stops concurrent guesses from all slipping in under the
 * threshold. Returns {0, lock end set on each key (0 = none)...}.
 * ARGV: now, base delay, cap, forget-after, then one threshold per key.
 */
const BEGIN_SCRIPT = `
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local untilMs = tonumber(redis.call('HGET', key, 'until') or '0')
  if untilMs > now then return {i, untilMs} end
end
local out = {0}
for i, key in ipairs(KEYS) do
  local threshold = tonumber(ARGV[4 + i])
  local fails = redis.call('HINCRBY', key, 'fails', 1)
  local untilMs = 0
  if fails >= threshold then
    untilMs = now + math.min(tonumber(ARGV[2]) * math.pow(2, math.min(fails - threshold, 30)), tonumber(ARGV[3]))
    redis.call('HSET', key, 'until', untilMs)
  end
  redis.call('PEXPIRE', key, math.max(tonumber(ARGV[4]), untilMs - now))
  out[i + 1] = untilMs
end
return out`;

/**
 * Takes back one attempt's advance count (the credential was right): one failure fewer, and the lock
 * that attempt set is lifted unless a later attempt has set another since. ARGV: per key the lock end
 * the attempt set (0 = none).
 */
const TAKE_BACK_SCRIPT = `
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    if tonumber(redis.call('HINCRBY', key, 'fails', -1)) < 0 then redis.call('HSET', key, 'fails', 0) end
    local set = ARGV[i]
    if set ~= '0' and redis.call('HGET', key, 'until') == set then redis.call('HDEL', key, 'until') end
  end
end
return 1`;

type LockoutRedis = Redis & {
  mailplaneLoginBegin(...args: (string | number)[]): Promise<number[]>;
  mailplaneLoginTakeBack(...args: (string | number)[]): Promise<number>;
};

/**
 * One login-like attempt that has passed the lockout check and is already counted as failed: a wrong
 * credential needs nothing more. `passed()` when the credential was right (not a guess, or a step
 * short of a login); `completed()` when a login issued tokens (the account's counter starts over).
 */
export interface LoginAttempt {
  passed(): Promise<void>;
  completed(): Promise<void>;
}

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
 * valid account must not unlock an IP that guesses others). While Redis cannot answer, each replica
 * keeps counting in-process (InProcessLockout): the lockout never fails open.
 */
@Injectable()
export class LoginLockoutService {
  private readonly logger = new Logger(LoginLockoutService.name);
  private readonly prefix: string;
  private readonly fallback = new InProcessLockout(FORGET_AFTER_MS);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.prefix = `${jobsPrefix(config.DATABASE_URL)}:login-lockout:`;
    if (!('mailplaneLoginBegin' in redis)) {
      redis.defineCommand('mailplaneLoginBegin', { lua: BEGIN_SCRIPT });
      redis.defineCommand('mailplaneLoginTakeBack', { lua: TAKE_BACK_SCRIPT });
    }
  }

  /**
   * Throws LoginLockedError (429, Retry-After) while the account or the IP is locked; otherwise counts
   * the attempt as a failure of both until the caller settles it. email null = only the IP.
   */
  async begin(email: string | null, ip: string): Promise<LoginAttempt> {
    const keys = email === null ? [this.ipKey(ip)] : [this.accountKey(email), this.ipKey(ip)];
    const thresholds =
      email === null ? [this.config.LOGIN_IP_LOCKOUT_THRESHOLD] : [this.config.LOGIN_LOCKOUT_THRESHOLD, this.config.LOGIN_IP_LOCKOUT_THRESHOLD];
    const now = Date.now();
    const r = this.redis as LockoutRedis;
    const cap = this.config.LOGIN_LOCKOUT_MAX_SECONDS * 1000;
    const res =
      (await this.safe(() => r.mailplaneLoginBegin(keys.length, ...keys, now, BASE_DELAY_MS, cap, FORGET_AFTER_MS, ...thresholds))) ??
      this.fallback.begin(keys, now, BASE_DELAY_MS, cap, FORGET_AFTER_MS, thresholds);
    if (res[0] !== 0) {
      const what = email !== null && res[0] === 1 ? 'account' : 'IP address';
      throw new LoginLockedError(Math.max(1, Math.ceil((Number(res[1]) - now) / 1000)), what);
    }
    const setUntil = res.slice(1).map(String);
    const takeBack = async (which: string[], until: string[]) => {
      if ((await this.safe(() => r.mailplaneLoginTakeBack(which.length, ...which, ...until))) === null) this.fallback.takeBack(which, until);
    };
    return {
      passed: () => takeBack(keys, setUntil),
      completed: async () => {
        if (email === null) return takeBack(keys, setUntil);
        // The account starts over; the IP only gets this attempt back (one valid account must not
        // unlock an IP that guesses others).
        if ((await this.safe(() => this.redis.del(keys[0]))) === null) this.fallback.forget(keys[0]);
        return takeBack([keys[1]], [setUntil[1]]);
      },
    };
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
      this.logger.warn(`login lockout counted in this process only, Redis unavailable: ${(err as Error).message}`);
      return null;
    }
  }
}
