import { Module } from '@nestjs/common';
import { RateLimitPolicy } from './rate-limit.policy.js';

/** Which request budget a principal has (its key's, its tenant's or the default); the edge counts against it. */
@Module({ providers: [RateLimitPolicy], exports: [RateLimitPolicy] })
export class RateLimitsModule {}
