import { Module } from '@nestjs/common';
import { CredentialsModule } from '../auth/credentials.module.js';
import { RateLimitsModule } from '../rate-limits/rate-limits.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

@Module({
  imports: [CredentialsModule, RateLimitsModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeysRepository],
})
export class ApiKeysModule {}
