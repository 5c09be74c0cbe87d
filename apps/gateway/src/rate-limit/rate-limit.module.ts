import { Module } from '@nestjs/common';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitPolicy } from './rate-limit.policy.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Rate limits shared by every gateway replica. The guard itself is registered as APP_GUARD in
 * AppModule right after AuthGuard: global guards run in registration order and this one needs the principal.
 */
@Module({
  providers: [RateLimitPolicy, RateLimitStore, RateLimitGuard],
  exports: [RateLimitPolicy, RateLimitStore, RateLimitGuard],
})
export class RateLimitModule {}
