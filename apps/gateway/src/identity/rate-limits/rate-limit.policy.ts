import { Injectable } from '@nestjs/common';
import type { AppConfig } from '#common';
import { InjectConfig } from '../../shared/app-config.js';
import type { Principal } from '../../shared/principal.js';
import type { LRUCache } from 'lru-cache';
import { authCache } from '../../shared/auth-cache.js';
import { RateLimitsRepository } from './rate-limits.repository.js';

/** One budget: the Redis bucket it is counted in and its requests per minute. */
export interface RateBudget {
  bucket: string;
  limit: number;
}

/**
 * Which budget a request counts against. Precedence: the key's own rate_limit_per_min, then its
 * tenant's, then RATE_LIMIT_PER_MIN; accounts (JWT) use their tenant's or the default. Limits are
 * cached like credentials (AUTH_CACHE_TTL_MS), so a change reaches every replica as fast.
 */
@Injectable()
export class RateLimitPolicy {
  private readonly keyLimits: LRUCache<string, number>;
  private readonly tenantLimits: LRUCache<string, number>;
  private readonly defaultLimit: number;
  readonly loginLimit: number;
  private readonly unauthLimit: number;

  constructor(
    private readonly repo: RateLimitsRepository,
    @InjectConfig() config: AppConfig,
  ) {
    this.keyLimits = authCache(config.AUTH_CACHE_TTL_MS);
    this.tenantLimits = authCache(config.AUTH_CACHE_TTL_MS);
    this.defaultLimit = config.RATE_LIMIT_PER_MIN;
    this.loginLimit = config.LOGIN_RATE_LIMIT_PER_MIN;
    this.unauthLimit = config.UNAUTH_RATE_LIMIT_PER_MIN;
  }

  async budgetFor(p: Principal): Promise<RateBudget> {
    const bucket = p.kind === 'api_key' && p.api_key_id ? `key:${p.api_key_id}` : `account:${p.account_id}`;
    return { bucket, limit: await this.limitOf(p) };
  }

  /** The caller's requests per minute; also the most a key it creates may be given. */
  async limitOf(p: Principal): Promise<number> {
    return p.kind === 'api_key' && p.api_key_id ? this.keyLimit(p.api_key_id) : this.tenantLimit(p.tenant_id);
  }

  /** Login attempts are counted per client IP (req.ip: the TCP peer unless TRUST_PROXY vouches for a proxy). */
  loginBudget(ip: string): RateBudget {
    return { bucket: `login-ip:${ip}`, limit: this.loginLimit };
  }

  /** Requests that fail authentication are counted per client IP: a flood of bogus keys ends in 429s. */
  unauthenticatedBudget(ip: string): RateBudget {
    return { bucket: `unauth-ip:${ip}`, limit: this.unauthLimit };
  }

  private async keyLimit(keyId: string): Promise<number> {
    const cached = this.keyLimits.get(keyId);
    if (cached !== undefined) return cached;
    const own = await this.repo.limitsOfKey(keyId);
    const limit = own?.key_limit ?? own?.tenant_limit ?? this.defaultLimit;
    this.keyLimits.set(keyId, limit);
    return limit;
  }

  private async tenantLimit(tenantId: string): Promise<number> {
    const cached = this.tenantLimits.get(tenantId);
    if (cached !== undefined) return cached;
    const limit = (await this.repo.limitOfTenant(tenantId)) ?? this.defaultLimit;
    this.tenantLimits.set(tenantId, limit);
    return limit;
  }
}
