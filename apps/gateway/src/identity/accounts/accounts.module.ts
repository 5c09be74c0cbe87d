import { Module } from '@nestjs/common';
import { CredentialsModule } from '../auth/credentials.module.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { LoginLockoutService } from './login-lockout.service.js';

@Module({
  imports: [CredentialsModule],
  controllers: [AccountsController],
  providers: [AccountsService, AccountsRepository, LoginLockoutService],
  exports: [LoginLockoutService],
})
export class AccountsModule {}
