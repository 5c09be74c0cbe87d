import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { MfaLoginService } from './mfa-login.service.js';
import { SecondFactorVerifier } from './second-factor.verifier.js';
import { TotpController } from './totp.controller.js';
import { TotpRepository } from './totp.repository.js';
import { TotpService } from './totp.service.js';

@Module({
  imports: [AccountsModule],
  controllers: [TotpController],
  providers: [TotpService, TotpRepository, MfaLoginService, SecondFactorVerifier],
  exports: [TotpService, MfaLoginService],
})
export class TotpModule {}
