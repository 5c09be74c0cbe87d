import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { TotpModule } from '../totp/totp.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LoginSecondStepController } from './login-second-step.controller.js';
import { SessionsRepository } from './sessions.repository.js';

/** Logins, refresh tokens, password changes and /auth/me. */
@Module({
  imports: [AccountsModule, TotpModule],
  controllers: [AuthController, LoginSecondStepController],
  providers: [AuthService, SessionsRepository],
  // OIDC logins end in the same token pair.
  exports: [AuthService],
})
export class AuthModule {}
