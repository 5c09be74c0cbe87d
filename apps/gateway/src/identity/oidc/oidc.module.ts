import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OidcController } from './oidc.controller.js';
import { OidcRepository } from './oidc.repository.js';
import { OidcService } from './oidc.service.js';

/** Login through the platform's OpenID Connect identity provider, and its configuration. */
@Module({
  imports: [AuthModule],
  controllers: [OidcController],
  providers: [OidcService, OidcRepository],
})
export class OidcModule {}
