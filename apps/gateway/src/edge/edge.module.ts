import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { createValidationPipe } from '#common';
import { IdentityModule } from '../identity/identity.module.js';
import { AliasesController } from './aliases/aliases.controller.js';
import { AntispamController } from './antispam/antispam.controller.js';
import { DomainAntispamController } from './antispam/domain-antispam.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { ConfigController } from './config-tiers/config.controller.js';
import { DomainConfigController } from './config-tiers/domain-config.controller.js';
import { DkimModule } from './dkim/dkim.module.js';
import { DomainsController } from './domains/domains.controller.js';
import { HealthController } from './health/health.controller.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { TextIntegrityGuard } from './http/text-integrity.guard.js';
import { JobsModule } from './jobs/jobs.module.js';
import { MailNodeModule } from './mail-node/mail-node.module.js';
import { MailboxesImportExportController } from './mailboxes/mailboxes-import-export.controller.js';
import { MailboxesController } from './mailboxes/mailboxes.controller.js';
import { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';

/**
 * The HTTP edge: authentication and rate limiting for every route, the error envelope, validation,
 * health, and the thin controllers that forward to the services over NATS. It may use identity; identity never uses it.
 */
@Module({
  imports: [IdentityModule, RateLimitModule, TerminusModule.forRoot({ logger: false }), JobsModule, DkimModule, MailNodeModule],
  controllers: [
    DomainsController,
    MailboxesImportExportController,
    MailboxesController,
    AliasesController,
    DomainConfigController,
    ConfigController,
    AntispamController,
    DomainAntispamController,
    HealthController,
  ],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    // After AuthGuard (global guards run in this order): the budget depends on the caller.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    // Last: a refused NUL/surrogate still counts against the caller's budget and names the caller.
    { provide: APP_GUARD, useClass: TextIntegrityGuard },
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class EdgeModule {}
