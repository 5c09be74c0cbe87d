import { Module } from '@nestjs/common';
import { RateLimitPolicy } from './rate-limit.policy.js';
import { RateLimitsRepository } from './rate-limits.repository.js';

/** Which request budget a principal has (its key's, its tenant's or the default); the edge counts against it. */
@Module({ providers: [RateLimitPolicy, RateLimitsRepository], exports: [RateLimitPolicy] })
export class RateLimitsModule {}
