import { Module } from '@nestjs/common';
import { AccountsModule } from './accounts/accounts.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CredentialsModule } from './auth/credentials.module.js';
import { OidcModule } from './oidc/oidc.module.js';
import { RateLimitsModule } from './rate-limits/rate-limits.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { TotpModule } from './totp/totp.module.js';

/**
 * Who may call and what they did: tenants, accounts, logins (password, TOTP, OIDC), API keys, rate budgets and the
 * audit log. It never imports the edge (docs/architecture.md); the edge imports what it exports.
 */
@Module({
  imports: [CredentialsModule, AccountsModule, TotpModule, AuthModule, ApiKeysModule, TenantsModule, RateLimitsModule, AuditModule, OidcModule],
  exports: [CredentialsModule, RateLimitsModule, AuditModule],
})
export class IdentityModule {}
