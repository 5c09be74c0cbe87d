import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TerminusModule } from '@nestjs/terminus';
import { createLoggerModule, createValidationPipe, type AppConfig } from '#common';
import { databaseModule } from '#database';
import { AntispamController } from './antispam/antispam.controller.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthService } from './auth/auth.service.js';
import { CredentialsService } from './auth/credentials.service.js';
import { MfaLoginService } from './auth/totp/mfa-login.service.js';
import { SecondFactorVerifier } from './auth/totp/second-factor.verifier.js';
import { TotpController } from './auth/totp/totp.controller.js';
import { TotpService } from './auth/totp/totp.service.js';
import { APP_CONFIG } from './config/app-config.js';
import { ConfigController } from './config-tiers/config.controller.js';
import { DomainConfigController } from './config-tiers/domain-config.controller.js';
import { AliasesController } from './aliases/aliases.controller.js';
import { DomainsController } from './domains/domains.controller.js';
import { HealthController } from './health/health.controller.js';
import { MailboxesController } from './mailboxes/mailboxes.controller.js';
import { MailboxesImportExportController } from './mailboxes/mailboxes-import-export.controller.js';
import { RedisModule } from './health/redis.provider.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { TextIntegrityGuard } from './http/text-integrity.guard.js';
import { NatsModule } from './nats/nats.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { DkimModule } from './dkim/dkim.module.js';
import { MailNodeModule } from './mail-node/mail-node.module.js';
import { AuditModule } from './audit/audit.module.js';
import { TenantsController } from './tenants/tenants.controller.js';
import { TenantsRepository } from './tenants/tenants.repository.js';
import { TenantsService } from './tenants/tenants.service.js';
import { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsRepository } from './accounts/accounts.repository.js';
import { AccountsService } from './accounts/accounts.service.js';
import { LoginLockoutService } from './accounts/login-lockout.service.js';

@Module({})
export class AppModule {
  static register(config: AppConfig & { JWT_SECRET: string }): DynamicModule {
    const configModule: DynamicModule = {
      module: class ConfigModule {},
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
    return {
      module: AppModule,
      imports: [
        configModule,
        createLoggerModule(config, 'gateway'),
        databaseModule(config, 'gateway'),
        JwtModule.register({ secret: config.JWT_SECRET, signOptions: { algorithm: 'HS256', issuer: 'mailplane' }, verifyOptions: { issuer: 'mailplane' } }),
        TerminusModule.forRoot({ logger: false }),
        NatsModule,
        RedisModule,
        JobsModule,
        DkimModule,
        MailNodeModule,
        AuditModule,
        RateLimitModule,
      ],
      controllers: [
        AuthController, TotpController, ApiKeysController, TenantsController, AccountsController, DomainsController, MailboxesImportExportController, MailboxesController,
        AliasesController, DomainConfigController, ConfigController, AntispamController, HealthController,
      ],
      providers: [
        AuthService,
        CredentialsService,
        ApiKeysService,
        SecondFactorVerifier,
        TotpService,
        MfaLoginService,
        TenantsService,
        TenantsRepository,
        AccountsService,
        AccountsRepository,
        LoginLockoutService,
        { provide: APP_GUARD, useClass: AuthGuard },
        // After AuthGuard (global guards run in this order): the budget depends on the caller.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        // Last: a refused NUL/surrogate still counts against the caller's budget and names the caller.
        { provide: APP_GUARD, useClass: TextIntegrityGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
