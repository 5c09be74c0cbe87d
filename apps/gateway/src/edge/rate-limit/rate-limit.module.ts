import { Module } from '@nestjs/common';
import { RateLimitsModule } from '../../identity/rate-limits/rate-limits.module.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Rate limits shared by every gateway replica. The guard itself is registered as APP_GUARD in
 * EdgeModule right after AuthGuard: global guards run in registration order and this one needs the principal.
 */
@Module({
  imports: [RateLimitsModule],
  providers: [RateLimitStore, RateLimitGuard],
  exports: [RateLimitsModule, RateLimitStore, RateLimitGuard],
})
export class RateLimitModule {}
